package org.lvlmworkbench.core.analysis.evolution;

/**
 * Distributions over the vocabulary, in float64: softmax of logits and the Jensen–Shannon
 * divergence in bits, {@code JS(P,Q) = ½ KL(P‖M) + ½ KL(Q‖M)}, {@code M = ½(P+Q)}, summed over the
 * vocabulary and bounded by 1. (The code the paper reuses from DoLa computes
 * {@code (1/2V)[KL(M‖P) + KL(M‖Q)]}: the wrong direction, unbounded, scaled by 1/V. Not this.)
 */
public final class JensenShannon {

    private static final double LN2 = Math.log(2);

    private JensenShannon() {
    }

    /** {@code softmax(logits)} in float64, shifted by the maximum so no term overflows. */
    public static double[] softmax(float[] logits, int offset, int length) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < length; i++) {
            max = Math.max(max, logits[offset + i]);
        }
        double[] p = new double[length];
        double sum = 0;
        for (int i = 0; i < length; i++) {
            p[i] = Math.exp(logits[offset + i] - max);
            sum += p[i];
        }
        for (int i = 0; i < length; i++) {
            p[i] /= sum;
        }
        return p;
    }

    /** JS divergence in bits, in [0, 1]; 0 log 0 = 0. */
    public static double bits(double[] p, double[] q) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("distributions over " + p.length + " and " + q.length + " outcomes");
        }
        double s = 0;
        for (int i = 0; i < p.length; i++) {
            double m = 0.5 * (p[i] + q[i]);
            if (p[i] > 0) {
                s += p[i] * Math.log(p[i] / m);
            }
            if (q[i] > 0) {
                s += q[i] * Math.log(q[i] / m);
            }
        }
        // Rounding can leave a hair below 0 or above 1.
        return Math.max(0, Math.min(1, 0.5 * s / LN2));
    }

    /** Shannon entropy in bits. */
    public static double entropyBits(double[] p) {
        double h = 0;
        for (double v : p) {
            if (v > 0) {
                h -= v * Math.log(v);
            }
        }
        return h / LN2;
    }
}
