package org.lvlmworkbench.core.compress.lowrank;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The interactive paths: allocating ranks over a 7B decoder's 224 matrices (32 layers × q k v o gate
 * up down at 4096/11008) takes milliseconds, and reading a cached factorisation's loss and size at a
 * new rank is O(1).
 */
class AllocationSpeedTest {

    static List<MatrixProfile> llama7b() {
        Random random = new Random(3);
        String[] roles = {"q", "k", "v", "o", "gate", "up", "down"};
        int[][] shapes = {{4096, 4096}, {4096, 4096}, {4096, 4096}, {4096, 4096}, {11008, 4096}, {11008, 4096},
                {4096, 11008}};
        List<MatrixProfile> out = new ArrayList<>();
        for (int l = 0; l < 32; l++) {
            for (int j = 0; j < roles.length; j++) {
                out.add(RankAllocatorTest.profile("model.layers." + l + "." + roles[j], "text", l, roles[j],
                        shapes[j][0], shapes[j][1], random));
            }
        }
        return out;
    }

    @Test
    void allocatingOver224MatricesTakesMilliseconds() {
        List<MatrixProfile> ms = llama7b();
        long t0 = System.nanoTime();
        RankAllocator allocator = new RankAllocator(ms);
        double prepare = (System.nanoTime() - t0) / 1e6;
        for (Allocation a : Allocation.values()) {
            allocator.allocate(a, 0.3); // warm-up
        }
        StringBuilder report = new StringBuilder(String.format("reading the profiles %.1f ms; ", prepare));
        for (Allocation a : Allocation.values()) {
            double[] millis = new double[10];
            for (int i = 0; i < millis.length; i++) {
                long start = System.nanoTime();
                RankAllocation r = allocator.allocate(a, 0.1 + 0.07 * i);
                millis[i] = (System.nanoTime() - start) / 1e6;
                RankAllocatorTest.checkBudget(r, ms, a + " on 7B shapes");
            }
            Arrays.sort(millis);
            report.append(String.format("%s median %.1f ms, max %.1f ms; ", a, millis[5], millis[9]));
            // Milliseconds on an idle machine; a generous bound, as this one is shared with a training run.
            assertTrue(millis[5] < 100, a + ": " + Arrays.toString(millis));
        }
        System.out.println("allocation over 224 matrices: " + report);
    }

    @Test
    void aCachedFactorizationAnswersANewRankInConstantTime() {
        Random random = new Random(4);
        int m = 64;
        int n = 160;
        float[] w = new float[m * n];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        double[] x = new double[300 * n];
        for (int i = 0; i < x.length; i++) {
            x[i] = random.nextGaussian();
        }
        Factorization f = LowRankFactorizer.factorize(LowRankMethod.SVD_LLM, w, m, n, CalibrationStats.of(x, 300, n),
                LowRankOptions.DEFAULTS);
        double sink = 0;
        long[] nanos = new long[2000];
        for (int i = 0; i < nanos.length; i++) {
            int k = random.nextInt(f.maxRank() + 1);
            long t0 = System.nanoTime();
            sink += f.predictedLoss(k) + f.parameters(k) + (f.parameters(k) < f.denseParameters() ? 1 : 0);
            nanos[i] = System.nanoTime() - t0;
        }
        Arrays.sort(nanos);
        assertTrue(nanos[(int) (nanos.length * 0.95)] < 1_000_000, "p95 " + nanos[(int) (nanos.length * 0.95)] + " ns");
        assertTrue(sink > 0);
    }
}
