package org.lvlmworkbench.core.processing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.gson.JsonParser;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.config.JsonFields;

class ImageProcessingTest {

    private static RgbImage solid(int w, int h, int r, int g, int b) {
        byte[] rgb = new byte[w * h * 3];
        for (int i = 0; i < w * h; i++) {
            rgb[i * 3] = (byte) r;
            rgb[i * 3 + 1] = (byte) g;
            rgb[i * 3 + 2] = (byte) b;
        }
        return new RgbImage(w, h, rgb);
    }

    private static ClipImageProcessor processor(String json) {
        return ClipImageProcessor.parse(new JsonFields(Path.of("preprocessor_config.json"), "",
                JsonParser.parseString(json).getAsJsonObject()));
    }

    @Test
    void resamplingKeepsAConstantImageConstant() {
        for (PilResampler.Filter f : PilResampler.Filter.values()) {
            RgbImage out = PilResampler.resize(solid(37, 23, 200, 10, 99), 16, 50, f);
            for (int y = 0; y < out.height(); y++) {
                for (int x = 0; x < out.width(); x++) {
                    assertEquals(200, out.get(x, y, 0), f + " at " + x + "," + y);
                    assertEquals(10, out.get(x, y, 1));
                    assertEquals(99, out.get(x, y, 2));
                }
            }
        }
    }

    @Test
    void halvingUsesPillowsWidenedTentKernel() {
        // Pillow's coefficients for a 4 -> 2 bilinear resize (support widened to 2 source pixels, tent
        // weights 3/4, 3/4, 1/4 normalised by 7/4), worked by hand from its precompute_coeffs:
        // out0 = (3*0 + 3*100 + 1*200) / 7 = 71.4, out1 = (1*100 + 3*200 + 3*40) / 7 = 117.1.
        byte[] row = {0, 0, 0, 100, 100, 100, (byte) 200, (byte) 200, (byte) 200, 40, 40, 40};
        RgbImage out = PilResampler.resize(new RgbImage(4, 1, row), 2, 1, PilResampler.Filter.BILINEAR);
        assertEquals(71, out.get(0, 0, 0));
        assertEquals(117, out.get(1, 0, 0));
    }

    @Test
    void shortestEdgeResizeThenCenterCropThenNormalize() {
        ClipImageProcessor p = processor("{\"size\":{\"shortest_edge\":8},\"crop_size\":{\"height\":8,\"width\":8},"
                + "\"image_mean\":[0.5,0.5,0.5],\"image_std\":[0.5,0.25,0.5]}");
        assertArrayEquals(new int[] {8, 8}, p.outputSize());
        float[] v = p.preprocess(solid(40, 20, 255, 0, 51));
        assertEquals(3 * 64, v.length);
        assertEquals(1f, v[0], 1e-6f);
        assertEquals(-2f, v[64], 1e-6f);
        assertEquals((0.2f - 0.5f) / 0.5f, v[128], 1e-6f);
    }

    @Test
    void centerCropTakesTheMiddle() {
        byte[] rgb = new byte[4 * 1 * 3];
        for (int x = 0; x < 4; x++) {
            rgb[x * 3] = (byte) (x * 10);
        }
        RgbImage c = ClipImageProcessor.centerCrop(new RgbImage(4, 1, rgb), 2, 1);
        assertEquals(10, c.get(0, 0, 0));
        assertEquals(20, c.get(1, 0, 0));
    }
}
