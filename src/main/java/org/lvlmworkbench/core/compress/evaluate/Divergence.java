package org.lvlmworkbench.core.compress.evaluate;

/** Distances between next-token distributions given as logits. */
public final class Divergence {

    private Divergence() {
    }

    /**
     * {@code KL(P ‖ Q)} in nats, {@code P = softmax(p)}, {@code Q = softmax(q)}, over the whole vocabulary, in
     * float64 with both log-softmaxes taken stably ({@code x - max - log Σ exp(x - max)}). Terms where
     * {@code P} underflows to 0 contribute 0. Identical logits give exactly 0; rounding can leave a
     * value a few ulps below 0 otherwise, which is returned as 0.
     */
    public static double kl(float[] p, float[] q) {
        if (p.length != q.length) {
            throw new IllegalArgumentException("distributions over " + p.length + " and " + q.length
                    + " tokens cannot be compared");
        }
        double zp = logSumExp(p);
        double zq = logSumExp(q);
        double sum = 0;
        for (int i = 0; i < p.length; i++) {
            double lp = p[i] - zp;
            double prob = Math.exp(lp);
            if (prob > 0) {
                sum += prob * (lp - (q[i] - zq));
            }
        }
        return sum < 0 ? 0 : sum;
    }

    static double logSumExp(float[] x) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : x) {
            max = Math.max(max, v);
        }
        if (Double.isInfinite(max)) {
            return max;
        }
        double s = 0;
        for (float v : x) {
            s += Math.exp(v - max);
        }
        return max + Math.log(s);
    }
}
