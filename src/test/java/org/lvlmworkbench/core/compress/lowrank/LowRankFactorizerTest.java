package org.lvlmworkbench.core.compress.lowrank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.linalg.LowRank;

/**
 * Every factorisation against the calibration tokens themselves: the predicted loss of a rank is the
 * measured {@code ‖(W − W_k)·Xᵀ‖²_F}, SVD-LLM's is {@code Σ_{i>k} σ_i²}, V2 reaches the same optimum,
 * and at equal rank (equal parameters) the data-aware methods lose less.
 */
class LowRankFactorizerTest {

    static final int M = 24;
    static final int N = 70;

    /** Inputs like an LLM's: log-uniform channel scales over 3 decades, a few outlier channels ×40, a shared component. */
    static double[] inputs(int tokens, Random random, boolean deadChannel) {
        double[] scale = new double[N];
        for (int j = 0; j < N; j++) {
            scale[j] = Math.pow(10, -2 + 3 * random.nextDouble());
        }
        scale[3] *= 40;
        scale[17] *= 40;
        scale[51] *= 25;
        double[] x = new double[tokens * N];
        for (int t = 0; t < tokens; t++) {
            double common = random.nextGaussian();
            for (int j = 0; j < N; j++) {
                x[t * N + j] = scale[j] * (random.nextGaussian() + 0.5 * common);
            }
            if (deadChannel) {
                x[t * N + 9] = 0;
            }
        }
        return x;
    }

    static float[] weight(Random random) {
        float[] w = new float[M * N];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        return w;
    }

    /** {@code ‖(W − approx)·Xᵀ‖²_F} summed token by token. */
    static double measuredLoss(float[] w, double[] approx, int m, int n, double[] x, int tokens) {
        double[] d = new double[m * n];
        for (int i = 0; i < d.length; i++) {
            d[i] = w[i] - approx[i];
        }
        double sum = 0;
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < m; i++) {
                double e = 0;
                for (int j = 0; j < n; j++) {
                    e += d[i * n + j] * x[t * n + j];
                }
                sum += e * e;
            }
        }
        return sum;
    }

    record Case(String name, int tokens, boolean dead) {
    }

    static final Case[] CASES = {new Case("full-rank Gram", 400, false), new Case("fewer tokens than inputs", 45, false),
            new Case("a dead input channel", 400, true)};

    @Test
    void predictedLossIsTheMeasuredCalibrationLossForEveryMethod() {
        long seed = 11;
        for (Case c : CASES) {
            Random random = new Random(seed++);
            float[] w = weight(random);
            double[] x = inputs(c.tokens, random, c.dead);
            CalibrationStats stats = CalibrationStats.of(x, c.tokens, N);
            for (LowRankMethod method : LowRankMethod.closedForm()) {
                Factorization f = LowRankFactorizer.factorize(method, w, M, N, stats, LowRankOptions.DEFAULTS);
                double[] loss = f.predictedLoss();
                assertEquals(M + 1, loss.length);
                assertEquals(0, loss[M], 1e-12 * loss[0], method + " " + c.name + ": full rank loses nothing");
                double total = measuredLoss(w, new double[M * N], M, N, x, c.tokens);
                assertEquals(total, loss[0], 1e-9 * total, method + " " + c.name + ": rank 0 loses ‖W·Xᵀ‖²");
                for (int k : new int[] {1, 3, 6, 12, 18, 23}) {
                    LowRank lr = f.truncate(k);
                    assertEquals(k, lr.rank());
                    double measured = measuredLoss(w, lr.dense(), M, N, x, c.tokens);
                    String at = method + ", " + c.name + ", rank " + k + " (" + f.route() + ")";
                    assertEquals(measured, loss[k], 1e-6 * measured + 1e-11 * loss[0], at);
                    assertTrue(loss[k] <= loss[k - 1], at + ": non-increasing");
                }
            }
        }
    }

    @Test
    void svdLlmLosesExactlyTheTailOfItsSpectrumAndV2ReachesTheSameOptimum() {
        long seed = 21;
        for (Case c : CASES) {
            Random random = new Random(seed++);
            float[] w = weight(random);
            double[] x = inputs(c.tokens, random, c.dead);
            CalibrationStats stats = CalibrationStats.of(x, c.tokens, N);
            Factorization llm = LowRankFactorizer.factorize(LowRankMethod.SVD_LLM, w, M, N, stats,
                    LowRankOptions.DEFAULTS);
            Factorization v2 = LowRankFactorizer.factorize(LowRankMethod.SVD_LLM_V2, w, M, N, stats,
                    LowRankOptions.DEFAULTS);
            assertEquals("eigen", v2.route());
            assertEquals(c.tokens >= N && !c.dead ? "cholesky" : "eigen", llm.route(), c.name);
            double[] sigma = llm.singularValues();
            for (int k = 0; k <= M; k += 3) {
                double tail = 0;
                for (int i = k; i < M; i++) {
                    tail += sigma[i] * sigma[i];
                }
                double measured = measuredLoss(w, llm.truncate(k).dense(), M, N, x, c.tokens);
                assertEquals(tail, measured, 1e-6 * tail + 1e-11 * llm.predictedLoss(0), c.name + " rank " + k);
                double v2Measured = measuredLoss(w, v2.truncate(k).dense(), M, N, x, c.tokens);
                assertEquals(measured, v2Measured, 1e-6 * measured + 1e-11 * llm.predictedLoss(0),
                        c.name + " rank " + k + ": V2 = SVD-LLM");
            }
            assertArrayEquals(sigma, v2.singularValues(), 1e-8 * sigma[0], c.name + ": same whitened spectrum");
        }
    }

    @Test
    void atEqualParametersTheDataAwareMethodsLoseLess() {
        Random random = new Random(31);
        float[] w = weight(random);
        double[] x = inputs(400, random, false);
        CalibrationStats stats = CalibrationStats.of(x, 400, N);
        Factorization plain = LowRankFactorizer.factorize(LowRankMethod.PLAIN, w, M, N, stats, LowRankOptions.DEFAULTS);
        Factorization asvd = LowRankFactorizer.factorize(LowRankMethod.ASVD, w, M, N, stats, LowRankOptions.DEFAULTS);
        Factorization llm = LowRankFactorizer.factorize(LowRankMethod.SVD_LLM, w, M, N, stats, LowRankOptions.DEFAULTS);
        Factorization dip = LowRankFactorizer.factorize(LowRankMethod.DIPSVD, w, M, N, stats, LowRankOptions.DEFAULTS);
        for (int k = 1; k < M; k++) {
            String at = "rank " + k;
            assertTrue(llm.predictedLoss(k) <= asvd.predictedLoss(k) * (1 + 1e-9), at + ": svd-llm ≤ asvd");
            assertTrue(asvd.predictedLoss(k) <= plain.predictedLoss(k), at + ": asvd ≤ plain");
            assertTrue(llm.predictedLoss(k) <= dip.predictedLoss(k) * (1 + 1e-9), at + ": svd-llm is the optimum");
            assertEquals(plain.parameters(k), llm.parameters(k));
        }
    }

    @Test
    void dipSvdProtectsTheChannelsWithTheLargestGramColumns() {
        Random random = new Random(41);
        double[] x = new double[400 * N];
        for (int i = 0; i < x.length; i++) {
            int j = i % N;
            x[i] = random.nextGaussian() * (j == 3 ? 50 : j == 17 ? 30 : j == 51 ? 10 : 1);
        }
        CalibrationStats stats = CalibrationStats.of(x, 400, N);
        // ⌊70 · 3 %⌋ = 2: the two largest outliers; ⌊70 · 4.3 %⌋ = 3 adds the third.
        assertEquals(java.util.List.of(3, 17),
                java.util.Arrays.stream(LowRankFactorizer.protectedChannels(stats.gram(), N, 0.03)).boxed().toList());
        assertEquals(java.util.List.of(3, 17, 51),
                java.util.Arrays.stream(LowRankFactorizer.protectedChannels(stats.gram(), N, 0.043)).boxed().toList());
        // Protection moves loss off the protected columns: the error on channel 3 alone shrinks.
        float[] w0 = weight(random);
        Factorization plainDip = LowRankFactorizer.factorize(LowRankMethod.DIPSVD, w0, M, N, stats,
                LowRankOptions.DEFAULTS.withDipChannels(0.03, 1));
        Factorization protectedDip = LowRankFactorizer.factorize(LowRankMethod.DIPSVD, w0, M, N, stats,
                LowRankOptions.DEFAULTS);
        int k0 = M / 2;
        assertTrue(columnError(w0, protectedDip.truncate(k0).dense(), 3) < columnError(w0, plainDip.truncate(k0).dense(), 3),
                "weighting channel 3 by 30 reduces its column's error");
        assertTrue(protectedDip.predictedLoss(k0) >= plainDip.predictedLoss(k0) * (1 - 1e-9),
                "at the price of the total loss, which SVD-LLM's truncation minimises");
        // Weight 1 changes nothing: the SVD route of G gives SVD-LLM's optimum.
        float[] w = weight(random);
        Factorization unweighted = LowRankFactorizer.factorize(LowRankMethod.DIPSVD, w, M, N, stats,
                LowRankOptions.DEFAULTS.withDipChannels(0.03, 1));
        Factorization llm = LowRankFactorizer.factorize(LowRankMethod.SVD_LLM, w, M, N, stats, LowRankOptions.DEFAULTS);
        for (int k = 0; k <= M; k++) {
            assertEquals(llm.predictedLoss(k), unweighted.predictedLoss(k), 1e-7 * llm.predictedLoss(0));
        }
    }

    private static double columnError(float[] w, double[] approx, int column) {
        double sum = 0;
        for (int i = 0; i < M; i++) {
            double d = w[i * N + column] - approx[i * N + column];
            sum += d * d;
        }
        return sum;
    }

    @Test
    void ranksOutsideTheMatrixAndMissingStatisticsAreRefused() {
        Random random = new Random(51);
        float[] w = weight(random);
        double[] x = inputs(100, random, false);
        CalibrationStats stats = CalibrationStats.of(x, 100, N);
        Factorization f = LowRankFactorizer.factorize(LowRankMethod.PLAIN, w, M, N, stats, LowRankOptions.DEFAULTS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.truncate(M + 1));
        assertTrue(e.getMessage().contains("0..24") && e.getMessage().contains("24×70"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> f.truncate(-1));
        CalibrationStats gramOnly = new CalibrationStats(N, 100, stats.gram(), null);
        e = assertThrows(IllegalArgumentException.class,
                () -> LowRankFactorizer.factorize(LowRankMethod.ASVD, w, M, N, gramOnly, LowRankOptions.DEFAULTS));
        assertTrue(e.getMessage().contains("mean |x|"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> LowRankFactorizer.factorize(LowRankMethod.PLAIN, w, N, M, stats, LowRankOptions.DEFAULTS));
        assertEquals(LowRankMethod.SVD_LLM_V2, LowRankMethod.fromJson("svd-llm-v2"));
        assertEquals("dipsvd", LowRankMethod.DIPSVD.jsonName());
    }
}
