package org.lvlmworkbench.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link LineChart} and {@link ScatterChart}, which share the axes and legend of {@link XYFrame}. */
class XYChartsTest {

    private static final int BLUE = 0x1f77b4;
    private static final int ORANGE = 0xff7f0e;
    /** Scatter points with few neighbours are drawn at alpha 220/255 over the white plot. */
    private static final int POINT_BLUE = overWhite(BLUE, 220);
    private static final int POINT_ORANGE = overWhite(ORANGE, 220);

    private static int overWhite(int rgb, int alpha) {
        int out = 0;
        for (int shift = 16; shift >= 0; shift -= 8) {
            out |= (int) Math.round(((rgb >> shift & 0xff) * alpha + 255 * (255 - alpha)) / 255.0) << shift;
        }
        return out;
    }
    private static final double[] LAYERS = {0, 1, 2, 3, 4, 5, 6, 7};

    @Test
    void lineChartDrawsEverySeriesInItsColour() {
        BufferedImage img = LineChart.builder().title("t").xTitle("layer").yTitle("KL (nats)")
                .series("a", LAYERS, new double[] {5, 4, 3, 2, 1, 0.5, 0.2, 0.1})
                .series("b", LAYERS, new double[] {1, 1, 2, 2, 3, 3, 4, 4}).build().render(600, 400);
        assertEquals(600, img.getWidth());
        assertEquals(400, img.getHeight());
        assertTrue(Pixels.count(img, BLUE, 4) > 150, "first series in blue");
        assertTrue(Pixels.count(img, ORANGE, 4) > 150, "second series in orange");
    }

    @Test
    void markersDrawVerticalLines() {
        LineChart.Builder base = LineChart.builder().series("a", LAYERS, LAYERS);
        int without = Pixels.count(base.build().render(600, 400), Theme.MARKER.getRGB(), 0);
        int with = Pixels.count(base.marker(3.5, "critical layer 3").build().render(600, 400), Theme.MARKER.getRGB(), 0);
        assertTrue(with - without > 100, "a dashed line over most of the plot height, got " + (with - without) + " pixels");
    }

    @Test
    void logScaleSkipsValuesItCannotShow() {
        BufferedImage img = LineChart.builder().logY(true)
                .series("mixed", LAYERS, new double[] {1, 0, -1, Double.NaN, 1e-3, 1e-5, 2, Double.POSITIVE_INFINITY})
                .series("nothing positive", LAYERS, new double[] {0, 0, 0, 0, -1, -1, -1, -1})
                .referenceLine(0.01, "1 %").build().render(500, 320);
        assertTrue(Pixels.count(img, BLUE, 4) > 20, "the positive stretch is still drawn");
        BufferedImage empty = LineChart.builder().logY(true).series("zeros", LAYERS, new double[8]).build()
                .render(500, 320);
        assertEquals(500, empty.getWidth());
    }

    @Test
    void lineChartNamesTheSeriesItRejects() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LineChart.builder().series("layer KL", new double[3], new double[4]));
        assertTrue(e.getMessage().contains("layer KL"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> LineChart.builder().marker(Double.NaN, "x"));
    }

    @Test
    void scatterColoursPointsByCategory() {
        double[] x = {0, 1, 2, 3, 4, 5};
        double[] y = {0, 1, 0, 1, 0, Double.NaN};
        BufferedImage one = ScatterChart.builder().points(x, y, null).build().render(500, 360);
        assertEquals(360, one.getHeight());
        assertTrue(Pixels.count(one, POINT_BLUE, 4) > 40, "one category: blue points");
        assertEquals(0, Pixels.count(one, POINT_ORANGE, 4) + Pixels.count(one, ORANGE, 4),
                "one category: no second colour, no legend");
        BufferedImage two = ScatterChart.builder().title("PCA").xTitle("PC 1").yTitle("PC 2")
                .points(x, y, List.of("image", "text", "image", "text", "image", "text")).build().render(500, 360);
        assertTrue(Pixels.count(two, POINT_BLUE, 4) > 25, "first category blue");
        assertTrue(Pixels.count(two, POINT_ORANGE, 4) > 25, "second category orange");
    }

    @Test
    void scatterNamesWhatDoesNotMatch() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScatterChart.builder().points(new double[2], new double[2], List.of("a")));
        assertTrue(e.getMessage().contains("categories"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ScatterChart.builder().build());
    }

    @Test
    void tooSmallIsRefusedWithTheChartsName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> LineChart.builder().build().render(100, 100));
        assertTrue(e.getMessage().startsWith("LineChart"), e.getMessage());
    }
}
