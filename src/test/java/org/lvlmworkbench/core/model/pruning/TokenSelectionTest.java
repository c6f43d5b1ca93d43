package org.lvlmworkbench.core.model.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The selection rules on inputs small enough to work out by hand. */
class TokenSelectionTest {

    @Test
    void keepCountIsTheCeilingWithoutLastBitErrors() {
        assertEquals(18, TokenSelection.keepCount(0.5, 36));
        assertEquals(18, TokenSelection.keepCount(0.5, 35), "⌈17.5⌉");
        assertEquals(7, TokenSelection.keepCount(1 - 0.3, 10), "(1 − 0.3)·10 is 7.000000000000001 in doubles");
        assertEquals(1, TokenSelection.keepCount(0.01, 36));
        assertEquals(36, TokenSelection.keepCount(1, 36));
        assertEquals(0, TokenSelection.keepCount(0, 36));
        assertThrows(IllegalArgumentException.class, () -> TokenSelection.keepCount(1.5, 3));
    }

    @Test
    void topKKeepsTheHighestAscendingAndBreaksTiesTowardsTheLowerIndex() {
        assertArrayEquals(new int[] {0, 2}, TokenSelection.topK(new float[] {0.9f, 0.1f, 0.8f}, 2));
        float[] ties = {0.1f, 0.5f, 0.5f, 0.2f, 0.5f};
        assertArrayEquals(new int[] {1, 2}, TokenSelection.topK(ties, 2));
        assertArrayEquals(new int[] {1, 2, 4}, TokenSelection.topK(ties, 3));
        assertArrayEquals(new int[] {1, 2, 3, 4}, TokenSelection.topK(ties, 4));
        assertArrayEquals(new int[] {}, TokenSelection.topK(ties, 0));
        assertArrayEquals(new int[] {0, 2}, TokenSelection.topK(new float[] {0.2f, Float.NaN, 0.1f}, 2),
                "NaN ranks last");
        assertThrows(IllegalArgumentException.class, () -> TokenSelection.topK(ties, 6));
    }

    @Test
    void massCoverKeepsTheFewestTokensHoldingTheMassAtLeastTheFloor() {
        // Binary fractions, so the sums are exact: 0.5 + 0.25 reaches 0.75 of the total 1.
        float[] scores = {0.5f, 0.125f, 0.25f, 0.125f};
        assertArrayEquals(new int[] {0, 2}, TokenSelection.massCover(scores, 0.75, 1));
        assertArrayEquals(new int[] {0}, TokenSelection.massCover(scores, 0.5, 1));
        assertArrayEquals(new int[] {0, 1, 2}, TokenSelection.massCover(scores, 0.8, 1),
                "0.75 falls short of 0.8; of the two 0.125s the lower index comes first");
        assertArrayEquals(new int[] {0, 1, 2}, TokenSelection.massCover(scores, 0.5, 3), "the floor tops up");
        assertArrayEquals(new int[] {0, 1, 2, 3}, TokenSelection.massCover(scores, 0.5, 10), "floor capped at n");
        assertArrayEquals(new int[] {0, 1, 2, 3}, TokenSelection.massCover(scores, 1.0, 1));
        // Unnormalised scores work the same: only the shares matter.
        assertArrayEquals(new int[] {0, 2}, TokenSelection.massCover(new float[] {4, 1, 2, 1}, 0.75, 1));
    }

    @Test
    void massCoverAdaptsToEachInstancesDistribution() {
        float[] peaked = {0.01f, 0.97f, 0.01f, 0.01f};
        float[] flat = {0.25f, 0.25f, 0.25f, 0.25f};
        assertArrayEquals(new int[] {1}, TokenSelection.massCover(peaked, 0.9, 1));
        assertArrayEquals(new int[] {0, 1, 2, 3}, TokenSelection.massCover(flat, 0.9, 1));
        assertArrayEquals(new int[] {0, 1, 2}, TokenSelection.massCover(new float[] {0, 0, 0}, 0.5, 1),
                "no preference: keep all");
        assertThrows(IllegalArgumentException.class, () -> TokenSelection.massCover(flat, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> TokenSelection.massCover(flat, 0.5, 0));
    }

    /** Unit vectors at 0°, 10°, 90° and 180°: cosine distances 1 − cos of the angle between them. */
    private static float[][] angles() {
        double[] deg = {0, 10, 90, 180};
        float[][] f = new float[deg.length][];
        for (int i = 0; i < deg.length; i++) {
            double r = Math.toRadians(deg[i]);
            f[i] = new float[] {(float) Math.cos(r), (float) Math.sin(r)};
        }
        return f;
    }

    @Test
    void maxMinDiversityPicksAsDivPruneDoes() {
        // Second-smallest distances: 0° and 10° have each other (1 − cos 10° ≈ 0.015), 90° has 10° (≈ 0.83),
        // 180° has 90° (1): the first pick is 180°. Farthest from it: 0° (distance 2). Then the token whose
        // nearest pick is farthest: 90° (1 to both) beats 10° (0.015 to 0°).
        assertArrayEquals(new int[] {3}, TokenSelection.maxMinDiversity(angles(), 1));
        assertArrayEquals(new int[] {0, 3}, TokenSelection.maxMinDiversity(angles(), 2));
        assertArrayEquals(new int[] {0, 2, 3}, TokenSelection.maxMinDiversity(angles(), 3));
        assertArrayEquals(new int[] {0, 1, 2, 3}, TokenSelection.maxMinDiversity(angles(), 4));
        // Scale does not matter, only direction.
        float[][] scaled = angles();
        scaled[2] = new float[] {0, 7};
        assertArrayEquals(new int[] {0, 2, 3}, TokenSelection.maxMinDiversity(scaled, 3));
    }

    @Test
    void maxMinDiversityNeverPicksATokenTwice() {
        float[][] same = {{1, 2}, {1, 2}, {1, 2}, {1, 2}};
        assertArrayEquals(new int[] {0, 1, 2}, TokenSelection.maxMinDiversity(same, 3));
        assertArrayEquals(new int[] {}, TokenSelection.maxMinDiversity(same, 0));
    }

    @Test
    void cosineDistancesAreSymmetricWithAZeroDiagonal() {
        double[][] d = TokenSelection.cosineDistances(new float[][] {{1, 0}, {0, 3}, {-2, 0}, {0, 0}});
        assertEquals(0, d[0][0]);
        assertEquals(1, d[0][1], 1e-12);
        assertEquals(2, d[0][2], 1e-12);
        assertEquals(1, d[3][0], 1e-12, "a zero vector is at distance 1 from everything");
        assertEquals(d[1][2], d[2][1]);
    }
}
