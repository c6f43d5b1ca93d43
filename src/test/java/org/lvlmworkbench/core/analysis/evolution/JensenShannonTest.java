package org.lvlmworkbench.core.analysis.evolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class JensenShannonTest {

    @Test
    void isZeroForEqualDistributionsAndOneBitForDisjointOnes() {
        double[] p = {0.2, 0.3, 0.5, 0};
        assertEquals(0, JensenShannon.bits(p, p), 1e-15);
        assertEquals(1, JensenShannon.bits(new double[] {1, 0}, new double[] {0, 1}), 1e-15);
    }

    @Test
    void matchesTheClosedFormAndIsSymmetricAndBounded() {
        // P = (1/2, 1/2), Q = (1, 0): M = (3/4, 1/4);
        // JS = ½[½ log2(½/¾) + ½ log2(½/¼)] + ½[log2(1/¾)] = ½[½ log2(2/3) + ½] + ½ log2(4/3).
        double expected = 0.5 * (0.5 * log2(2.0 / 3) + 0.5) + 0.5 * log2(4.0 / 3);
        double[] p = {0.5, 0.5};
        double[] q = {1, 0};
        assertEquals(expected, JensenShannon.bits(p, q), 1e-15);
        assertEquals(JensenShannon.bits(p, q), JensenShannon.bits(q, p), 1e-15);
        Random r = new Random(1);
        for (int t = 0; t < 50; t++) {
            double[] a = JensenShannon.softmax(logits(r, 300, 8), 0, 300);
            double[] b = JensenShannon.softmax(logits(r, 300, 8), 0, 300);
            double js = JensenShannon.bits(a, b);
            assertTrue(js >= 0 && js <= 1, "bounded by one bit: " + js);
            assertEquals(js, JensenShannon.bits(b, a), 1e-12);
        }
    }

    @Test
    void isNotDolasFormula() {
        // DoLa's code computes (1/2V)[KL(M‖P) + KL(M‖Q)] in nats; on these distributions it differs.
        double[] p = {0.7, 0.2, 0.1};
        double[] q = {0.1, 0.2, 0.7};
        double dola = 0;
        for (int i = 0; i < 3; i++) {
            double m = 0.5 * (p[i] + q[i]);
            dola += m * Math.log(m / p[i]) + m * Math.log(m / q[i]);
        }
        dola /= 2 * 3;
        double ours = JensenShannon.bits(p, q);
        assertTrue(Math.abs(ours - dola) > 0.05, "ours " + ours + " vs DoLa " + dola);
    }

    @Test
    void softmaxSurvivesHugeLogits() {
        double[] p = JensenShannon.softmax(new float[] {3e38f, 3e38f, -3e38f}, 0, 3);
        assertEquals(0.5, p[0], 1e-12);
        assertEquals(0.5, p[1], 1e-12);
        assertEquals(0, p[2], 1e-300);
        assertEquals(1, JensenShannon.entropyBits(p), 1e-12);
    }

    private static float[] logits(Random r, int n, double scale) {
        float[] z = new float[n];
        for (int i = 0; i < n; i++) {
            z[i] = (float) (r.nextGaussian() * scale);
        }
        return z;
    }

    private static double log2(double x) {
        return Math.log(x) / Math.log(2);
    }
}
