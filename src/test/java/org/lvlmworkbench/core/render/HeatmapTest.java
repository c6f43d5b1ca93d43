package org.lvlmworkbench.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HeatmapTest {

    /** 3 × 4 cells with known values; one NaN. */
    private static final double[][] VALUES = {
        {0.0, 0.25, 0.5, 1.0},
        {0.75, Double.NaN, 0.1, 0.9},
        {0.6, 0.4, 0.3, 0.2}};

    private static Heatmap known() {
        return Heatmap.builder(VALUES).title("known cells").xTitle("column").yTitle("row").colorBarLabel("CKA")
                .range(0, 1).build();
    }

    private static double[] cellCentre(Heatmap.Layout l, int r, int c, int rows, int columns) {
        return new double[] {(l.columnEdge(c, columns) + l.columnEdge(c + 1, columns)) / 2.0,
            (l.rowEdge(r, rows) + l.rowEdge(r + 1, rows)) / 2.0};
    }

    @Test
    void rendersAtTheRequestedSize() {
        BufferedImage img = known().render(640, 420);
        assertEquals(640, img.getWidth());
        assertEquals(420, img.getHeight());
    }

    @Test
    void eachCellHasTheColourOfItsValue() {
        Heatmap h = known();
        BufferedImage img = h.render(640, 420);
        Heatmap.Layout l = h.layout(640, 420);
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                double[] p = cellCentre(l, r, c, 3, 4);
                int expected = Double.isNaN(VALUES[r][c]) ? ColorMap.NAN_RGB : ColorMap.VIRIDIS.rgb(VALUES[r][c]);
                assertEquals(Pixels.hex(expected), Pixels.hex(Pixels.rgb(img, p[0], p[1])), "cell " + r + "," + c);
            }
        }
        // Independently of the lookup: the published ends of viridis.
        double[] low = cellCentre(l, 0, 0, 3, 4);
        double[] high = cellCentre(l, 0, 3, 3, 4);
        assertEquals("#440154", Pixels.hex(Pixels.rgb(img, low[0], low[1])));
        assertEquals("#fde725", Pixels.hex(Pixels.rgb(img, high[0], high[1])));
    }

    @Test
    void nanCellsAreGreyAndTheColourBarNamesThem() {
        Heatmap h = known();
        BufferedImage img = h.render(640, 420);
        Heatmap.Layout l = h.layout(640, 420);
        double[] nan = cellCentre(l, 1, 1, 3, 4);
        assertEquals(Pixels.hex(ColorMap.NAN_RGB), Pixels.hex(Pixels.rgb(img, nan[0], nan[1])));
        Rectangle bar = l.colorBar();
        // The swatch sits at the bottom of the colour bar's area.
        assertEquals(Pixels.hex(ColorMap.NAN_RGB), Pixels.hex(Pixels.rgb(img, bar.x + 8, bar.getMaxY() - 7)));
    }

    @Test
    void colourBarEndsAreTheMapsEnds() {
        double[][] noNaN = {{-2, 0, 1}, {3, 5, 8}};
        for (ColorMap map : ColorMap.values()) {
            Heatmap h = Heatmap.builder(noNaN).colorMap(map).colorBarLabel("value").build();
            BufferedImage img = h.render(500, 360);
            Rectangle bar = h.layout(500, 360).colorBar();
            int x = bar.x + ColorBar.BAR_WIDTH / 2;
            assertEquals(Pixels.hex(map.entry(255)), Pixels.hex(Pixels.rgb(img, x, bar.y)), map + " top");
            assertEquals(Pixels.hex(map.entry(0)), Pixels.hex(Pixels.rgb(img, x, bar.getMaxY() - 1)), map + " bottom");
        }
    }

    @Test
    void divergingMapCentresItsAutomaticRangeOnZero() {
        double[][] v = {{-1, 0}, {2, 3}};
        Heatmap h = Heatmap.builder(v).colorMap(ColorMap.BLUE_WHITE_RED).build();
        assertEquals(new ValueRange(-3, 3), h.range());
        BufferedImage img = h.render(400, 300);
        double[] zero = cellCentre(h.layout(400, 300), 0, 1, 2, 2);
        assertEquals(Pixels.hex(ColorMap.BLUE_WHITE_RED.entry(128)), Pixels.hex(Pixels.rgb(img, zero[0], zero[1])));
        assertEquals(new ValueRange(-1, 3), Heatmap.builder(v).build().range(), "viridis spans the data");
    }

    @Test
    void longLabelListsAreThinned() {
        int rows = 300;
        int columns = 2000;
        double[][] v = new double[rows][columns];
        List<String> rowNames = new ArrayList<>();
        List<String> columnNames = new ArrayList<>();
        for (int r = 0; r < rows; r++) {
            rowNames.add("layer " + r + " residual stream");
            for (int c = 0; c < columns; c++) {
                v[r][c] = Math.sin(r * 0.1) * Math.cos(c * 0.01);
            }
        }
        for (int c = 0; c < columns; c++) {
            columnNames.add("token number " + c + " of a long prompt");
        }
        Heatmap h = Heatmap.builder(v).rowLabels(rowNames).columnLabels(columnNames).annotate(true)
                .colorBarLabel("value").build();
        BufferedImage img = h.render(800, 500);
        assertEquals(800, img.getWidth());
        Heatmap.Layout l = h.layout(800, 500);
        assertTrue(l.rowStride() >= 10, "300 rows in a few hundred pixels: every 10th or sparser, got " + l.rowStride());
        assertTrue(l.columnStride() >= 100, "2000 columns: every 100th or sparser, got " + l.columnStride());
        assertTrue(l.columnsUpright(), "long column labels read upwards");
        assertTrue(l.rowLabelWidth() <= 800 * 0.22, "row labels are cut to a share of the width");
    }

    @Test
    void annotationsAppearOnlyWhenAskedAndWhenTheyFit() {
        double[][] v = {{0.1, 0.9}, {0.5, 0.3}};
        Heatmap plain = Heatmap.builder(v).range(0, 1).build();
        Heatmap annotated = Heatmap.builder(v).range(0, 1).annotate(true).build();
        BufferedImage a = plain.render(500, 400);
        BufferedImage b = annotated.render(500, 400);
        Rectangle cells = plain.layout(500, 400).cells();
        int plainColours = distinctColours(a, cells);
        int annotatedColours = distinctColours(b, cells);
        assertEquals(4, plainColours, "four flat cells");
        assertTrue(annotatedColours > 10, "anti-aliased digits add shades, got " + annotatedColours);
    }

    private static int distinctColours(BufferedImage img, Rectangle r) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = r.y; y < r.getMaxY(); y++) {
            for (int x = r.x; x < r.getMaxX(); x++) {
                seen.add(img.getRGB(x, y));
            }
        }
        return seen.size();
    }

    @Test
    void badInputIsNamed() {
        IllegalArgumentException ragged = assertThrows(IllegalArgumentException.class,
                () -> Heatmap.builder(new double[][] {{1, 2}, {3}}));
        assertTrue(ragged.getMessage().contains("row 1"), ragged.getMessage());
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> Heatmap.builder(new double[][] {{1, 2}}).columnLabels(List.of("a")));
        assertTrue(labels.getMessage().contains("columnLabels"), labels.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> Heatmap.builder(new double[][] {{1}}).range(1, 1));
        assertTrue(range.getMessage().contains("[1.0, 1.0]"), range.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class, () -> known().render(50, 50));
        assertTrue(small.getMessage().startsWith("Heatmap"), small.getMessage());
    }
}
