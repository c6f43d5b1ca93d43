package org.lvlmworkbench.core.analysis.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The estimator itself: the unbiased HSIC of eq. 3 against Kornblith's debiased centring computed
 * independently, the biased estimator it must not be, and minibatch convergence to the full batch.
 */
class CkaEstimatorTest {

    private static final double RELATIVE = 1e-10;

    @Test
    void unbiasedHsicEqualsKornblithsDebiasedCentring() {
        Random random = new Random(11);
        for (int n : new int[] {4, 5, 17, 60}) {
            double[][] x = TestMatrices.gaussian(n, 7, random);
            double[][] y = TestMatrices.related(x, 13, 0.3, random);
            double[][][] pairs = {
                KornblithReference.gramLinear(x), KornblithReference.gramLinear(y),
                KornblithReference.gramRbf(x, 0.5), KornblithReference.gramRbf(y, 0.8),
                randomSymmetric(n, random), randomSymmetric(n, random)};
            for (int p = 0; p < pairs.length; p += 2) {
                double[][] k = pairs[p];
                double[][] l = pairs[p + 1];
                double expected = KornblithReference.debiasedHsic(k, l);
                assertEquals(expected, Cka.unbiasedHsic(k, l), RELATIVE * Math.abs(expected), "n " + n + " pair " + p);
                double self = KornblithReference.debiasedHsic(k, k);
                assertEquals(self, Cka.unbiasedHsic(k, k), RELATIVE * self, "n " + n + " self " + p);
            }
        }
    }

    @Test
    void oneMinibatchGivesKornblithsDebiasedCka() {
        Random random = new Random(12);
        int n = 50;
        float[][] x = TestMatrices.toFloat(TestMatrices.gaussian(n, 9, random));
        float[][] y = TestMatrices.toFloat(TestMatrices.related(TestMatrices.toDouble(x), 20, 0.5, random));
        double[][] xd = TestMatrices.toDouble(x);
        double[][] yd = TestMatrices.toDouble(y);
        for (CkaKernel kernel : CkaKernel.values()) {
            CkaAccumulator acc = new CkaAccumulator(2, kernel, 0.7);
            acc.addMinibatch(new float[][][] {x, y});
            double expected = kernel == CkaKernel.LINEAR
                    ? KornblithReference.debiasedCka(KornblithReference.gramLinear(xd), KornblithReference.gramLinear(yd))
                    : KornblithReference.debiasedCka(KornblithReference.gramRbf(xd, 0.7),
                            KornblithReference.gramRbf(yd, 0.7));
            assertTrue(expected > 0.2 && expected < 0.95, kernel + " test data must be neither unrelated nor identical: "
                    + expected);
            assertEquals(expected, acc.cka()[0][1], RELATIVE * expected, kernel.toString());
        }
        assertEquals(KornblithReference.debiasedCka(KornblithReference.gramLinear(xd), KornblithReference.gramLinear(yd)),
                Cka.linearFullBatch(xd, yd), 1e-12);
    }

    /**
     * The SLM {@code cka.py} bug: centring with H K H keeps the diagonal and gives the biased estimator,
     * which for few examples of many features reports strong similarity between unrelated layers.
     */
    @Test
    void isNotTheBiasedEstimator() {
        Random random = new Random(13);
        int n = 24;
        double[][] x = TestMatrices.gaussian(n, 200, random);
        double[][] y = TestMatrices.gaussian(n, 200, random);
        double biased = KornblithReference.biasedCka(KornblithReference.gramLinear(x), KornblithReference.gramLinear(y));
        double unbiased = Cka.linearFullBatch(x, y);
        assertTrue(biased > 0.5, "the biased estimator inflates CKA of unrelated features: " + biased);
        assertTrue(Math.abs(unbiased) < 0.15, "unrelated features have CKA near 0: " + unbiased);
        double biasedHsic = frobenius(KornblithReference.centerBiased(KornblithReference.gramLinear(x)),
                KornblithReference.centerBiased(KornblithReference.gramLinear(y))) / ((n - 1.0) * (n - 1.0));
        double hsic = Cka.unbiasedHsic(KornblithReference.gramLinear(x), KornblithReference.gramLinear(y));
        assertTrue(Math.abs(hsic - biasedHsic) > 0.5 * Math.abs(biasedHsic), hsic + " vs biased " + biasedHsic);
    }

    /**
     * 2000 examples in 20 minibatches of 100 approach the single-batch unbiased CKA on all 2000, much
     * closer than one minibatch of 100 does (measured: error 0.0017 against a typical 0.017).
     */
    @Test
    void minibatchesConvergeToTheFullBatch() {
        Random random = new Random(14);
        int n = 2000;
        int batch = 100;
        double[][] x = TestMatrices.gaussian(n, 40, random);
        double[][] y = TestMatrices.related(x, 60, 1.0, random);
        double full = Cka.linearFullBatch(x, y);
        CkaAccumulator acc = new CkaAccumulator(2, CkaKernel.LINEAR);
        double squaredSingleErrors = 0;
        for (int from = 0; from < n; from += batch) {
            double[][] xb = TestMatrices.rows(x, from, batch);
            double[][] yb = TestMatrices.rows(y, from, batch);
            acc.addMinibatch(new float[][][] {TestMatrices.toFloat(xb), TestMatrices.toFloat(yb)});
            double single = Cka.linearFullBatch(xb, yb);
            squaredSingleErrors += (single - full) * (single - full);
        }
        double accumulated = acc.cka()[0][1];
        double singleRms = Math.sqrt(squaredSingleErrors / (n / batch));
        assertEquals(20, acc.minibatches());
        assertEquals(2000, acc.examples());
        assertTrue(full > 0.2 && full < 0.9, "test data must be partly related: " + full);
        assertEquals(full, accumulated, 0.005);
        // A single minibatch of 100 misses by singleRms on average; twenty of them accumulated, by far less.
        assertTrue(Math.abs(accumulated - full) < singleRms / 4, "accumulated " + accumulated + ", full batch " + full
                + ", a single minibatch's typical error " + singleRms);
    }

    private static double[][] randomSymmetric(int n, Random random) {
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                k[i][j] = random.nextGaussian() + 2;
                k[j][i] = k[i][j];
            }
        }
        return k;
    }

    private static double frobenius(double[][] a, double[][] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                s += a[i][j] * b[i][j];
            }
        }
        return s;
    }
}
