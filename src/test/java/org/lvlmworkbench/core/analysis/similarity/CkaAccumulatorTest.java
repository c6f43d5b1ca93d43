package org.lvlmworkbench.core.analysis.similarity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.jobs.Progress;

/** What a CKA matrix must satisfy whatever the data: identity, symmetry, range and invariances. */
class CkaAccumulatorTest {

    /** Features arrive as float, so transformed copies agree with the originals to float rounding only. */
    private static final double FLOAT_ROUNDING = 1e-5;

    @Test
    void aLayerIsIdenticalToItselfAndTheMatrixIsSymmetric() {
        Random random = new Random(1);
        for (CkaKernel kernel : CkaKernel.values()) {
            CkaAccumulator acc = new CkaAccumulator(4, kernel);
            for (int b = 0; b < 3; b++) {
                double[][] x = TestMatrices.gaussian(30, 12, random);
                float[][] xf = TestMatrices.toFloat(x);
                acc.addMinibatch(new float[][][] {xf, xf, TestMatrices.toFloat(TestMatrices.related(x, 5, 0.4, random)),
                    TestMatrices.toFloat(TestMatrices.gaussian(30, 40, random))});
            }
            double[][] cka = acc.cka();
            assertEquals(1, cka[0][1], 1e-12, kernel + ": CKA(X, X)");
            for (int i = 0; i < 4; i++) {
                assertEquals(1, cka[i][i], kernel + " diagonal");
                for (int j = 0; j < 4; j++) {
                    assertEquals(cka[i][j], cka[j][i], kernel + " symmetric at " + i + "," + j);
                    assertTrue(cka[i][j] >= -0.2 && cka[i][j] <= 1 + 1e-9, kernel + " range: " + cka[i][j]);
                }
            }
            assertTrue(cka[0][2] > 0.2 && cka[0][2] < 0.95, kernel + " related layer: " + cka[0][2]);
            assertTrue(Math.abs(cka[0][3]) < 0.2, kernel + " unrelated layer: " + cka[0][3]);
            assertEquals(3, acc.minibatches());
            assertEquals(90, acc.examples());
        }
    }

    /**
     * Linear CKA ignores rotations and isotropic scaling of either layer's features, and, as the
     * unbiased estimator cancels constant offsets, translations too. The tiny scale catches an HSIC
     * rounded to an integer (the SLM bug); the large offset catches a Gram taken from uncentred
     * features, which loses most digits to cancellation.
     */
    @Test
    void linearCkaIgnoresRotationScaleAndOffset() {
        Random random = new Random(2);
        double[][] x = TestMatrices.gaussian(80, 16, random);
        double[][] y = TestMatrices.related(x, 24, 0.5, random);
        double[][] q = TestMatrices.orthogonal(16, random);
        double reference = Cka.linearFullBatch(x, y);
        assertTrue(reference > 0.2 && reference < 0.95, "test data must be partly related: " + reference);
        assertEquals(reference, Cka.linearFullBatch(TestMatrices.times(x, q), y), 1e-12, "rotated");
        assertEquals(reference, Cka.linearFullBatch(TestMatrices.affine(x, 1e-3, 0), y), 1e-12, "scaled by 1e-3");
        assertEquals(reference, Cka.linearFullBatch(TestMatrices.affine(x, 250, 0), y), 1e-12, "scaled by 250");
        assertEquals(reference, Cka.linearFullBatch(TestMatrices.affine(x, 1, 1e4), y), 1e-9, "offset by 10⁴");

        assertInvariant(CkaKernel.LINEAR, x, y, q);
    }

    /** RBF CKA ignores rotations (distances are kept) and scaling (the bandwidth follows the median distance). */
    @Test
    void rbfCkaIgnoresRotationAndScale() {
        Random random = new Random(3);
        double[][] x = TestMatrices.gaussian(80, 16, random);
        double[][] y = TestMatrices.related(x, 24, 0.5, random);
        assertInvariant(CkaKernel.RBF, x, y, TestMatrices.orthogonal(16, random));
    }

    /** Layers: y, x, x rotated, x scaled by 1e-3, x scaled by 40; every copy of x must look like x to y. */
    private static void assertInvariant(CkaKernel kernel, double[][] x, double[][] y, double[][] q) {
        CkaAccumulator acc = new CkaAccumulator(5, kernel);
        for (int from = 0; from < x.length; from += 40) {
            double[][] xb = TestMatrices.rows(x, from, 40);
            acc.addMinibatch(new float[][][] {
                TestMatrices.toFloat(TestMatrices.rows(y, from, 40)), TestMatrices.toFloat(xb),
                TestMatrices.toFloat(TestMatrices.times(xb, q)), TestMatrices.toFloat(TestMatrices.affine(xb, 1e-3, 0)),
                TestMatrices.toFloat(TestMatrices.affine(xb, 40, 0))});
        }
        double[][] cka = acc.cka();
        assertTrue(cka[0][1] > 0.2 && cka[0][1] < 0.95, kernel + ": test data must be partly related: " + cka[0][1]);
        for (int copy = 2; copy < 5; copy++) {
            assertEquals(1, cka[1][copy], FLOAT_ROUNDING, kernel + ": x against its copy " + copy);
            assertEquals(cka[0][1], cka[0][copy], FLOAT_ROUNDING, kernel + ": y against copy " + copy);
        }
    }

    @Test
    void layersMayHaveDifferentWidthsButEachKeepsItsOwn() {
        Random random = new Random(4);
        CkaAccumulator acc = new CkaAccumulator(2, CkaKernel.LINEAR);
        acc.addMinibatch(new float[][][] {TestMatrices.toFloat(TestMatrices.gaussian(10, 3, random)),
            TestMatrices.toFloat(TestMatrices.gaussian(10, 7, random))});
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> acc.addMinibatch(
                new float[][][] {TestMatrices.toFloat(TestMatrices.gaussian(10, 3, random)),
                    TestMatrices.toFloat(TestMatrices.gaussian(10, 8, random))}));
        assertTrue(e.getMessage().contains("features[1]") && e.getMessage().contains("7"), e.getMessage());
        assertEquals(1, acc.minibatches());
    }

    @Test
    void tooSmallOrMismatchedMinibatchesAreRefusedWithTheReason() {
        Random random = new Random(5);
        CkaAccumulator acc = new CkaAccumulator(2, CkaKernel.RBF);
        float[][] three = TestMatrices.toFloat(TestMatrices.gaussian(3, 4, random));
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> acc.addMinibatch(new float[][][] {three, three}));
        assertTrue(small.getMessage().contains("3 examples") && small.getMessage().contains("n − 3"), small.getMessage());

        float[][] five = TestMatrices.toFloat(TestMatrices.gaussian(5, 4, random));
        float[][] six = TestMatrices.toFloat(TestMatrices.gaussian(6, 4, random));
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> acc.addMinibatch(new float[][][] {five, six}));
        assertTrue(rows.getMessage().contains("features[1] has 6 rows"), rows.getMessage());

        five[2][1] = Float.NaN;
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> acc.addMinibatch(new float[][][] {six, six, six}));
        assertTrue(count.getMessage().contains("one matrix per layer"), count.getMessage());
        float[][] otherFive = TestMatrices.toFloat(TestMatrices.gaussian(5, 4, random));
        IllegalArgumentException notFinite = assertThrows(IllegalArgumentException.class,
                () -> acc.addMinibatch(new float[][][] {otherFive, five}));
        assertTrue(notFinite.getMessage().contains("features[1] row 2 column 1"), notFinite.getMessage());

        float[][] constant = new float[6][4];
        IllegalArgumentException bandwidth = assertThrows(IllegalArgumentException.class,
                () -> acc.addMinibatch(new float[][][] {six, constant}));
        assertTrue(bandwidth.getMessage().contains("features[1]") && bandwidth.getMessage().contains("bandwidth"),
                bandwidth.getMessage());
        assertEquals(0, acc.minibatches());
        assertThrows(IllegalStateException.class, acc::cka);
    }

    /** A layer that never varies has no CKA with anything (zero self-HSIC): NaN, not a made-up number. */
    @Test
    void aConstantLayerHasUndefinedCka() {
        CkaAccumulator acc = new CkaAccumulator(2, CkaKernel.LINEAR);
        float[][] constant = new float[8][3];
        for (float[] row : constant) {
            row[0] = 5;
        }
        acc.addMinibatch(new float[][][] {TestMatrices.toFloat(TestMatrices.gaussian(8, 3, new Random(6))), constant});
        double[][] cka = acc.cka();
        assertEquals(1, cka[0][0]);
        assertTrue(Double.isNaN(cka[0][1]) && Double.isNaN(cka[1][0]) && Double.isNaN(cka[1][1]), "NaN row and column");
    }

    /** A minibatch cancelled part-way adds nothing: the sums and counts stay as they were. */
    @Test
    void aCancelledMinibatchLeavesTheSumsUnchanged() {
        Random random = new Random(7);
        CkaAccumulator acc = new CkaAccumulator(3, CkaKernel.LINEAR);
        float[][][] batch = new float[3][][];
        for (int l = 0; l < 3; l++) {
            batch[l] = TestMatrices.toFloat(TestMatrices.gaussian(20, 6, random));
        }
        acc.addMinibatch(batch);
        double[][] before = acc.cka();
        AtomicInteger checks = new AtomicInteger();
        Progress cancelLate = Progress.of(() -> checks.incrementAndGet() > 65, (fraction, message) -> { });
        float[][][] next = new float[3][][];
        for (int l = 0; l < 3; l++) {
            next[l] = TestMatrices.toFloat(TestMatrices.gaussian(20, 6, random));
        }
        assertThrows(CancellationException.class, () -> acc.addMinibatch(next, cancelLate));
        assertTrue(checks.get() > 60, "cancelled after the Grams, among the pairs: " + checks.get());
        assertEquals(1, acc.minibatches());
        assertEquals(20, acc.examples());
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(before[i], acc.cka()[i]);
        }
    }
}
