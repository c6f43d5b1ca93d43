package org.lvlmworkbench.app.widgets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.render.ValueRange;

/** Ticks, value ranges, number formats and heatmap hit testing: the arithmetic under the widgets. */
class PlotArithmeticTest {

    @Test
    void linearTicksAreRoundSteps() {
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, AxisTicks.linear(0, 1, 5), 1e-12);
        assertArrayEquals(new double[] {-2, 0, 2, 4, 6}, AxisTicks.linear(-3, 7, 5), 1e-12);
        assertArrayEquals(new double[] {5000, 10000, 15000, 20000}, AxisTicks.linear(4608, 24576, 4), 1e-9);
        assertArrayEquals(new double[] {3}, AxisTicks.linear(3, 3, 5), 0);
    }

    @Test
    void logTicksAreDecadesWithTwosAndFivesOnShortAxes() {
        assertArrayEquals(new double[] {1000, 2000, 5000, 10000}, AxisTicks.decades(1000, 10000, 8), 1e-9);
        assertArrayEquals(new double[] {1e-3, 1e-1, 1e1, 1e3}, AxisTicks.decades(1e-3, 1e3, 4), 1e-15);
    }

    @Test
    void rangesIgnoreMissingValuesAndCanBeSymmetric() {
        double[][] v = {{Double.NaN, -2}, {1, 4}};
        assertEquals(new ValueRange(-2, 4), ValueRange.ofData(v, false));
        assertEquals(new ValueRange(-4, 4), ValueRange.ofData(v, true));
        assertEquals(new ValueRange(0, 1), ValueRange.ofData(new double[][] {{Double.NaN}}, false));
        ValueRange r = new ValueRange(-2, 4);
        assertEquals(0.5, r.fraction(1), 1e-12);
        assertEquals(0, r.fraction(-10));
        assertEquals(1, r.fraction(10));
        assertEquals(0.5, ValueRange.ofData(new double[][] {{3, 3}}, false).fraction(3), 1e-12,
                "all values equal: the middle of the map");
        assertEquals(Double.NaN, r.fraction(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new ValueRange(2, 1));
    }

    @Test
    void numbersPrintShort() {
        assertEquals("24,576", Numbers.compact(24576));
        assertEquals("0.1235", Numbers.compact(0.123456));
        assertEquals("2.5", Numbers.compact(2.5));
        assertEquals("1.235e-05", Numbers.compact(1.2345e-5));
        assertEquals("no value", Numbers.compact(Double.NaN));
        assertEquals("0.4", Numbers.tick(0.4000000001, 0.2));
        assertEquals("15", Numbers.tick(15, 5));
        assertEquals("24,000", Numbers.tick(24000, 2000));
        assertEquals("35M", Numbers.tick(3.5e7, 5e6));
        assertEquals("2,500,000", Numbers.tick(2.5e6, 5e5));
        assertEquals("3G", Numbers.tick(3e9, 1e9));
        assertEquals("0.0", Numbers.tick(-0.0, 0.5), "no minus sign on zero");
        assertEquals("2.0e-04", Numbers.tick(2e-4, 1e-4));
        assertEquals("3.2 ms", Numbers.withUnit(Numbers::compact, 3.2, "ms"));
        assertEquals("no value", Numbers.withUnit(Numbers::compact, Double.NaN, "ms"));
    }

    @Test
    void heatmapCellsAreFoundByPosition() {
        HeatmapGeometry g = new HeatmapGeometry(10, 20, 300, 100, 2, 3);
        assertArrayEquals(new int[] {0, 0}, g.cellAt(10, 20));
        assertArrayEquals(new int[] {1, 2}, g.cellAt(309.9, 119.9));
        assertArrayEquals(new int[] {1, 1}, g.cellAt(g.centerX(1), g.centerY(1)));
        assertNull(g.cellAt(9.9, 50));
        assertNull(g.cellAt(310, 50));
        assertNull(g.cellAt(100, 120));
        assertNull(new HeatmapGeometry(0, 0, 0, 0, 0, 0).cellAt(0, 0));
    }
}
