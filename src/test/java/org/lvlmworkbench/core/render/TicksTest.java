package org.lvlmworkbench.core.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TicksTest {

    @Test
    void stepsAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(0.2, Ticks.niceStep(0.17), 1e-12);
        assertEquals(5, Ticks.niceStep(3.1), 1e-12);
        assertEquals(10, Ticks.niceStep(7), 1e-12);
        assertEquals(1e-4, Ticks.niceStep(1e-4), 1e-16);
        assertEquals(1, Ticks.niceStride(0.3));
        assertEquals(20, Ticks.niceStride(11.2));
    }

    @Test
    void linearTicksAreRoundAndLabelledWithoutNoise() {
        double[] t = Ticks.linear(-0.04, 1.04, 6);
        assertArrayEquals(new double[] {0, 0.2, 0.4, 0.6, 0.8, 1.0}, t, 1e-12);
        assertArrayEquals(new String[] {"0.0", "0.2", "0.4", "0.6", "0.8", "1.0"}, Ticks.linearLabels(t));
        assertArrayEquals(new String[] {"\u221210", "0", "10"}, Ticks.linearLabels(new double[] {-10, 0, 10}));
        assertArrayEquals(new String[] {"0", "2e\u22125", "4e\u22125"}, Ticks.linearLabels(new double[] {0, 2e-5, 4e-5}));
    }

    @Test
    void aShortRangeStillGetsTwoTicks() {
        double[] t = Ticks.linear(0.3, 0.9, 1);
        assertTrue(t.length >= 2 && t.length <= 3, "got " + java.util.Arrays.toString(t));
        for (double v : t) {
            assertTrue(v >= 0.3 && v <= 0.9, "tick " + v + " inside the range");
        }
    }

    @Test
    void logTicksAreDecadesOrTheirMultiples() {
        assertArrayEquals(new double[] {1e-3, 1e-2, 1e-1, 1, 10}, Ticks.log(5e-4, 20, 8), 1e-15);
        assertArrayEquals(new double[] {0.02, 0.05, 0.1, 0.2, 0.5, 1, 2}, Ticks.log(0.015, 2.5, 6), 1e-12);
        assertEquals("1e\u22126", Ticks.logLabel(1e-6));
        assertEquals("0.01", Ticks.logLabel(0.01));
    }

    @Test
    void valuesUseThreeSignificantDigits() {
        assertEquals("0.123", Ticks.value(0.12345));
        assertEquals("2.31", Ticks.value(2.3149));
        assertEquals("\u22122.31", Ticks.value(-2.3149));
        assertEquals("8.79e\u22127", Ticks.value(8.79e-7));
        assertEquals("1230", Ticks.value(1234));
        assertEquals("0", Ticks.value(0));
    }
}
