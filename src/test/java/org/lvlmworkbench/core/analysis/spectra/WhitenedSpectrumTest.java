package org.lvlmworkbench.core.analysis.spectra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.linalg.Matrices;
import org.lvlmworkbench.core.linalg.Whitening;

/**
 * SVD-LLM's theorem on random data: truncating {@code W·S} at rank {@code k} and multiplying back by
 * {@code S⁻¹} loses exactly {@code ‖(W − W_k)·Xᵀ‖²_F = Σ_{i>k} σ_i(W·S)²} on the calibration tokens,
 * and never more than truncating {@code W}'s own SVD.
 */
class WhitenedSpectrumTest {

    private static final int OUT = 9;
    private static final int IN = 14;

    /** {@code X [tokens, IN]}: Gaussian, mixed and scaled per input so the whitening is far from the identity. */
    private static double[] inputs(int tokens, Random random) {
        double[] x = new double[tokens * IN];
        for (int t = 0; t < tokens; t++) {
            double common = random.nextGaussian();
            for (int j = 0; j < IN; j++) {
                x[t * IN + j] = (j + 1) * random.nextGaussian() + 3 * common;
            }
        }
        return x;
    }

    private static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    /** {@code ‖(W − W_k)·Xᵀ‖²_F} computed directly from the tokens. */
    private static double outputError(float[] w, double[] wk, double[] x, int tokens) {
        double[] d = new double[OUT * IN];
        for (int i = 0; i < d.length; i++) {
            d[i] = w[i] - wk[i];
        }
        double sum = 0;
        for (double e : Matrices.multiply(d, OUT, IN, transpose(x, tokens, IN), tokens)) {
            sum += e * e;
        }
        return sum;
    }

    private static void checkTheorem(int tokens, Whitening.Route expectedRoute, long seed) {
        Random random = new Random(seed);
        float[] w = new float[OUT * IN];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) random.nextGaussian();
        }
        double[] x = inputs(tokens, random);
        double[] gram = Matrices.multiply(transpose(x, tokens, IN), IN, tokens, x, IN);
        Whitening whitening = Whitening.of(gram, IN);
        assertEquals(expectedRoute, whitening.route());
        WhitenedSpectrum spectrum = WhitenedSpectrum.of(whitening.rightMultiply(w, OUT), OUT, whitening, tokens);
        double[] loss = spectrum.truncationLoss();
        assertEquals(OUT + 1, loss.length);
        assertEquals(0, loss[OUT]);
        Whitening plain = Whitening.of(identity(IN), IN);
        for (int k = 0; k <= OUT; k++) {
            double direct = outputError(w, whitening.truncate(w, OUT, k).dense(), x, tokens);
            String at = expectedRoute + " route, rank " + k;
            if (loss[k] > 1e-9 * loss[0]) {
                assertEquals(loss[k], direct, 1e-6 * loss[k], at);
            } else {
                assertEquals(loss[k], direct, 1e-9 * loss[0], at + " (nothing left to lose)");
            }
            // Plain truncation (the identity's Cholesky factor is the identity) minimises ‖W − W_k‖, not the output error.
            double plainError = outputError(w, plain.truncate(w, OUT, k).dense(), x, tokens);
            assertTrue(plainError >= direct - 1e-9 * loss[0], at + ": plain SVD lost " + plainError + " < " + direct);
        }
        assertTrue(outputError(w, plain.truncate(w, OUT, 3).dense(), x, tokens) > 1.05 * loss[3],
                "whitening makes a difference on these inputs");
    }

    private static double[] identity(int n) {
        double[] id = new double[n * n];
        for (int i = 0; i < n; i++) {
            id[i * n + i] = 1;
        }
        return id;
    }

    @Test
    void theTruncationLossIsTheTailOfTheWhitenedSpectrumOnTheCholeskyRoute() {
        checkTheorem(60, Whitening.Route.CHOLESKY, 21);
    }

    @Test
    void theTruncationLossIsTheTailOfTheWhitenedSpectrumOnTheEigenRoute() {
        // 6 tokens for 14 inputs: G = XᵀX has rank 6, Cholesky has no factor.
        checkTheorem(6, Whitening.Route.EIGEN, 22);
    }

    @Test
    void theFirstLossIsTheWholeOutputEnergy() {
        WhitenedSpectrum s = new WhitenedSpectrum(Whitening.Route.CHOLESKY, 3, 0, 10, new double[] {3, 2, 1});
        double[] loss = s.truncationLoss();
        assertEquals(14, loss[0]);
        assertEquals(5, loss[1]);
        assertEquals(1, loss[2]);
        assertEquals(0, loss[3]);
    }
}
