package org.lvlmworkbench.core.compress.lowrank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.linalg.LowRank;

/**
 * SoCo's pure-Java half: the scored, re-ordered factorisation's predicted loss is the measured
 * {@code ‖(W − W_k)·Xᵀ‖²_F} (kept components contribute {@code σ²(1 − s)²}, dropped ones {@code σ²}),
 * and the selection by |score| meets the budget to within one step, keeps every matrix between one
 * component and its break-even rank, and follows the scores, not {@code σ}.
 */
class SocoSelectionTest {

    @Test
    void predictedLossOfAScoredFactorisationIsTheMeasuredLoss() {
        Random random = new Random(5);
        int m = LowRankFactorizerTest.M;
        int n = LowRankFactorizerTest.N;
        for (LowRankFactorizerTest.Case c : LowRankFactorizerTest.CASES) {
            double[] x = LowRankFactorizerTest.inputs(c.tokens(), random, c.dead());
            float[] w = LowRankFactorizerTest.weight(random);
            Factorization base = LowRankFactorizer.factorize(LowRankMethod.SVD_LLM, w, m, n,
                    CalibrationStats.of(x, c.tokens(), n), LowRankOptions.DEFAULTS);
            int r = base.maxRank();
            double[] scores = new double[r];
            boolean[] kept = new boolean[r];
            for (int i = 0; i < r; i++) {
                scores[i] = i % 5 == 0 ? -0.7 : 0.2 + 1.6 * random.nextDouble(); // some negative, some above 1
                kept[i] = random.nextDouble() < 0.6;
            }
            Factorization soco = SocoSelection.factorization(base, scores, kept, "test");
            assertEquals(LowRankMethod.SOCO, soco.method());
            int keptCount = 0;
            for (boolean k : kept) {
                keptCount += k ? 1 : 0;
            }
            for (int k : new int[] {0, 1, keptCount / 2, keptCount, r}) {
                LowRank t = soco.truncate(k);
                double measured = LowRankFactorizerTest.measuredLoss(w, t.dense(), m, n, x, c.tokens());
                double predicted = soco.predictedLoss(k);
                assertEquals(measured, predicted, 1e-6 * soco.predictedLoss(0) + 1e-9,
                        c.name() + " at rank " + k + ": predicted " + predicted + ", measured " + measured);
            }
            // The learned order: kept components by descending |s|, with σ·|s| as the new values.
            int[] order = SocoSelection.learnedOrder(scores, kept);
            for (int j = 0; j < keptCount; j++) {
                assertTrue(kept[order[j]]);
                assertEquals(base.singularValue(order[j]) * Math.abs(scores[order[j]]), soco.singularValue(j),
                        1e-12 * base.singularValue(0));
                if (j > 0) {
                    assertTrue(Math.abs(scores[order[j - 1]]) >= Math.abs(scores[order[j]]));
                }
            }
            assertEquals(0, soco.singularValue(keptCount), 0, "dropped components carry nothing");
        }
    }

    @Test
    void unitScoresAndEveryComponentKeptGiveTheBaseFactorisation() {
        Random random = new Random(8);
        double[] x = LowRankFactorizerTest.inputs(400, random, false);
        float[] w = LowRankFactorizerTest.weight(random);
        Factorization base = LowRankFactorizer.factorize(LowRankMethod.SVD_LLM, w, LowRankFactorizerTest.M,
                LowRankFactorizerTest.N, CalibrationStats.of(x, 400, LowRankFactorizerTest.N), LowRankOptions.DEFAULTS);
        double[] ones = new double[base.maxRank()];
        boolean[] all = new boolean[base.maxRank()];
        java.util.Arrays.fill(ones, 1);
        java.util.Arrays.fill(all, true);
        Factorization same = SocoSelection.factorization(base, ones, all, "unit");
        for (int k = 0; k <= base.maxRank(); k++) {
            assertEquals(base.predictedLoss(k), same.predictedLoss(k), 1e-9 * base.predictedLoss(0));
        }
        assertArrayEquals(base.truncate(7).dense(), same.truncate(7).dense(), 1e-9);
    }

    @Test
    void selectionMeetsTheBudgetByScoreNotBySigma() {
        Random random = new Random(3);
        int[][] shapes = {{48, 96}, {96, 96}, {256, 96}, {96, 256}, {48, 96}};
        List<SocoSelection.Matrix> ms = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < shapes.length; i++) {
            int r = Math.min(shapes[i][0], shapes[i][1]);
            double[] s = new double[r];
            for (int j = 0; j < r; j++) {
                s[j] = random.nextDouble() * (j % 7 == 3 ? 3 : 1);
            }
            ms.add(new SocoSelection.Matrix("m" + i, shapes[i][0], shapes[i][1], s));
            total += (long) shapes[i][0] * shapes[i][1];
        }
        for (double ratio : new double[] {0.3, 0.5, 0.8}) {
            long budget = (long) Math.floor((1 - ratio) * total);
            SocoSelection.Result r = SocoSelection.select(ms, budget);
            long kept = 0;
            for (int i = 0; i < ms.size(); i++) {
                SocoSelection.Matrix m = ms.get(i);
                int count = 0;
                double weakestKept = Double.POSITIVE_INFINITY;
                double strongestDropped = 0;
                for (int j = 0; j < m.scores().length; j++) {
                    if (r.kept().get(i)[j]) {
                        count++;
                        weakestKept = Math.min(weakestKept, Math.abs(m.scores()[j]));
                    } else {
                        strongestDropped = Math.max(strongestDropped, Math.abs(m.scores()[j]));
                    }
                }
                assertEquals(r.ranks()[i], count);
                assertTrue(count >= 1 && count <= m.breakEvenRank(), m.name() + " keeps " + count);
                assertTrue(weakestKept >= strongestDropped, "within a matrix the kept scores are the largest");
                kept += (long) count * (m.rows() + m.cols());
            }
            assertEquals(kept, r.keptParameters());
            assertTrue(kept <= budget && kept > budget - r.step(), ratio + ": kept " + kept + " of budget " + budget);
        }
        assertThrows(IllegalArgumentException.class, () -> SocoSelection.select(ms, 100));
    }
}
