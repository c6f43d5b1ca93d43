package org.lvlmworkbench.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PatchOverlayTest {

    private static final int SIDE = 8;

    private static byte[] randomImage() {
        byte[] rgb = new byte[SIDE * SIDE * 3];
        new Random(7).nextBytes(rgb);
        return rgb;
    }

    @Test
    void eachImagePixelIsBlendedWithItsPatchColour() {
        byte[] rgb = randomImage();
        double[][] values = {{0.0, 1.0}, {Double.NaN, 0.5}};
        PatchOverlay overlay = PatchOverlay.builder(SIDE, SIDE, rgb, values).range(0, 1).colorBarLabel("attention")
                .build();
        BufferedImage img = overlay.render(480, 400);
        assertEquals(480, img.getWidth());
        assertEquals(400, img.getHeight());
        PatchOverlay.Layout l = overlay.layout(480, 400);
        assertEquals(Math.floor(l.scale()), l.scale(), "enlarged by a whole factor, so pixels stay square");
        Rectangle r = l.image();
        for (int py = 0; py < SIDE; py++) {
            for (int px = 0; px < SIDE; px++) {
                double v = values[py * 2 / SIDE][px * 2 / SIDE];
                int map = Double.isNaN(v) ? ColorMap.NAN_RGB : ColorMap.VIRIDIS.rgb(v);
                int o = (py * SIDE + px) * 3;
                int image = (rgb[o] & 0xff) << 16 | (rgb[o + 1] & 0xff) << 8 | rgb[o + 2] & 0xff;
                int expected = blend(map, image, PatchOverlay.DEFAULT_ALPHA);
                // Centre of the block that nearest-neighbour scaling made of this image pixel.
                double x = r.x + (px + 0.5) * r.width / SIDE;
                double y = r.y + (py + 0.5) * r.height / SIDE;
                int got = Pixels.rgb(img, x, y);
                assertTrue(Pixels.close(got, expected, 2), "image pixel " + px + "," + py + ": " + Pixels.hex(got)
                        + " expected " + Pixels.hex(expected));
            }
        }
    }

    private static int blend(int top, int bottom, double alpha) {
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            double c = alpha * (top >> shift & 0xff) + (1 - alpha) * (bottom >> shift & 0xff);
            out |= (int) Math.round(c) << shift;
        }
        return out;
    }

    @Test
    void gridLinesAreOptional() {
        double[][] values = {{0.2, 0.4}, {0.6, 0.8}};
        byte[] black = new byte[SIDE * SIDE * 3];
        PatchOverlay plain = PatchOverlay.builder(SIDE, SIDE, black, values).build();
        PatchOverlay gridded = PatchOverlay.builder(SIDE, SIDE, black, values).gridLines(true).build();
        BufferedImage a = plain.render(400, 300);
        BufferedImage b = gridded.render(400, 300);
        Rectangle r = plain.layout(400, 300).image();
        int boundary = r.x + r.width / 2;
        int y = r.y + r.height / 4;
        assertEquals(Pixels.rgb(a, boundary + 3, y), Pixels.rgb(b, boundary + 3, y), "inside a patch nothing changes");
        int without = Pixels.rgb(a, boundary, y);
        int with = Pixels.rgb(b, boundary, y);
        for (int shift = 0; shift <= 16; shift += 8) {
            assertTrue((with >> shift & 0xff) - (without >> shift & 0xff) > 20,
                    "the white grid line lightens the boundary: " + Pixels.hex(without) + " -> " + Pixels.hex(with));
        }
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> PatchOverlay.builder(4, 4, new byte[10], new double[][] {{1}}));
        assertTrue(e.getMessage().startsWith("PatchOverlay image"), e.getMessage());
        IllegalArgumentException a = assertThrows(IllegalArgumentException.class,
                () -> PatchOverlay.builder(1, 1, new byte[3], new double[][] {{1}}).alpha(0));
        assertTrue(a.getMessage().contains("alpha"), a.getMessage());
    }
}
