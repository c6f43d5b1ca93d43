package org.lvlmworkbench.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RandomLlavaTest {

    private static final int GRID = 8;
    private static final int WIDTH = 128;

    @Test
    void sineCosinePositionsHaveTheRequestedScaleAndAZeroClassRow() {
        float[] table = RandomLlava.sinCosPositions(GRID, WIDTH, 3.0);
        assertEquals((1 + GRID * GRID) * WIDTH, table.length);
        for (int d = 0; d < WIDTH; d++) {
            assertEquals(0f, table[d], "class token row, channel " + d);
        }
        double sumSquares = 0;
        for (int i = WIDTH; i < table.length; i++) {
            sumSquares += table[i] * table[i];
        }
        assertEquals(3.0, Math.sqrt(sumSquares / (GRID * GRID * WIDTH)), 1e-4);
    }

    @Test
    void theColumnHalfDependsOnlyOnTheColumnAndItsSlowestSineGrowsLeftToRight() {
        float[] table = RandomLlava.sinCosPositions(GRID, WIDTH, 1.0);
        int quarter = WIDTH / 4;
        int slowestColumnSine = 2 * quarter + quarter - 1;
        for (int c = 0; c < GRID; c++) {
            for (int r = 1; r < GRID; r++) {
                for (int d = 2 * quarter; d < WIDTH; d++) {
                    assertEquals(at(table, 0, c, d), at(table, r, c, d), "row " + r + " column " + c + " channel " + d);
                }
            }
            if (c > 0) {
                assertTrue(at(table, 3, c, slowestColumnSine) > at(table, 3, c - 1, slowestColumnSine),
                        "column " + c + " lies right of column " + (c - 1));
            }
        }
        // The fastest pair turns a quarter per patch: neighbouring columns differ clearly.
        double step = Math.abs(at(table, 0, 1, 2 * quarter) - at(table, 0, 0, 2 * quarter));
        assertTrue(step > 0.5 * Math.abs(at(table, 0, 1, 2 * quarter)), "fastest sine moves a lot per column: " + step);
    }

    @Test
    void anOddWidthIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> RandomLlava.sinCosPositions(GRID, 126, 1.0));
    }

    private static float at(float[] table, int row, int column, int channel) {
        return table[(1 + row * GRID + column) * WIDTH + channel];
    }
}
