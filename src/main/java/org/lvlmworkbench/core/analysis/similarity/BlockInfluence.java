package org.lvlmworkbench.core.analysis.similarity;

/**
 * Block Influence of ShortGPT (Men et al. 2024, arXiv 2403.03853): per layer, the mean over tokens of
 * 1 − cos(x_in, x_out), where x_in and x_out are a token's hidden state entering and leaving the layer.
 * 0 means the layer leaves every token's direction unchanged (a candidate for removal), 1 means it turns
 * them by 90° on average, 2 means it reverses them.
 *
 * <p>Alongside, the mean cosine between consecutive layers' outputs, cos(out_{l−1}, out_l), for the
 * layers whose previous output is handed to {@link #add(int, float[][], float[][], float[][])}. In a plain
 * residual stack, where a layer's input is exactly the previous layer's output, it equals
 * 1 − influence; it differs where something sits between the two (a norm, a projector) or when the
 * layers fed are not adjacent blocks.
 *
 * <p>Cosines are computed in double. A token whose vector is zero on either side has cosine 0 by
 * definition here (an influence of 1) and is counted like any other token, so a layer that zeroes its
 * output shows up as influential instead of disappearing from the mean. Not thread-safe.
 */
public final class BlockInfluence {

    private final int layers;
    private final double[] influenceSums;
    private final long[] tokens;
    private final double[] consecutiveSums;
    private final long[] consecutiveTokens;

    public BlockInfluence(int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("Block Influence needs at least one layer, got " + layers);
        }
        this.layers = layers;
        this.influenceSums = new double[layers];
        this.tokens = new long[layers];
        this.consecutiveSums = new double[layers];
        this.consecutiveTokens = new long[layers];
    }

    /**
     * Adds tokens to a layer's Block Influence.
     *
     * @param in  T×width rows: each token's hidden state entering the layer
     * @param out T×width rows: the same tokens' hidden states leaving it
     */
    public void add(int layer, float[][] in, float[][] out) {
        add(layer, in, out, null);
    }

    /**
     * Adds tokens to a layer's Block Influence and, when {@code previousOut} is given, to the cosine
     * between the previous layer's output and this layer's output.
     *
     * @param in          T×width rows: each token's hidden state entering the layer
     * @param out         T×width rows: the same tokens' hidden states leaving it
     * @param previousOut T×width rows: the same tokens' hidden states leaving layer − 1, or null when there
     *                    is none (layer 0) or it was not captured
     */
    public void add(int layer, float[][] in, float[][] out, float[][] previousOut) {
        if (layer < 0 || layer >= layers) {
            throw new IllegalArgumentException("layer " + layer + " outside 0.." + (layers - 1));
        }
        String where = "layer " + layer;
        requireSameShape(in, out, where + " input", where + " output");
        if (previousOut != null) {
            requireSameShape(previousOut, out, where + " previous output", where + " output");
        }
        // Sums for this call first, so a refused token leaves the layer's means as they were.
        double influence = 0;
        double consecutive = 0;
        for (int t = 0; t < out.length; t++) {
            influence += 1 - finiteCosine(in[t], out[t], where + " input or output", t);
            if (previousOut != null) {
                consecutive += finiteCosine(previousOut[t], out[t], where + " previous output or output", t);
            }
        }
        influenceSums[layer] += influence;
        consecutiveSums[layer] += consecutive;
        tokens[layer] += out.length;
        if (previousOut != null) {
            consecutiveTokens[layer] += out.length;
        }
    }

    /** Mean 1 − cos(in, out) per layer, in [0, 2]; NaN for a layer that received no tokens. */
    public double[] influence() {
        return means(influenceSums, tokens);
    }

    /**
     * Mean cos(out_{l−1}, out_l) per layer, in [−1, 1]; NaN for a layer never given its previous output
     * (always layer 0).
     */
    public double[] consecutiveOutputCosine() {
        return means(consecutiveSums, consecutiveTokens);
    }

    /** Tokens added to a layer's Block Influence. */
    public long tokens(int layer) {
        return tokens[layer];
    }

    public int layers() {
        return layers;
    }

    private static double finiteCosine(float[] a, float[] b, String what, int token) {
        double cos = cosine(a, b);
        if (Double.isNaN(cos)) {
            throw new IllegalArgumentException(what + " token " + token + " holds a non-finite value");
        }
        return cos;
    }

    /**
     * a·b / (‖a‖ ‖b‖) in double, 0 when either vector is zero, clamped to [−1, 1] against rounding so
     * the influence stays within [0, 2]; NaN when either vector holds a non-finite value.
     */
    private static double cosine(float[] a, float[] b) {
        double dot = 0;
        double aa = 0;
        double bb = 0;
        for (int k = 0; k < a.length; k++) {
            double x = a[k];
            double y = b[k];
            dot += x * y;
            aa += x * x;
            bb += y * y;
        }
        if (!Double.isFinite(aa) || !Double.isFinite(bb)) {
            return Double.NaN;
        }
        if (aa == 0 || bb == 0) {
            return 0;
        }
        double cos = dot / (Math.sqrt(aa) * Math.sqrt(bb));
        return Math.max(-1, Math.min(1, cos));
    }

    private static double[] means(double[] sums, long[] counts) {
        double[] means = new double[sums.length];
        for (int l = 0; l < sums.length; l++) {
            means[l] = counts[l] == 0 ? Double.NaN : sums[l] / counts[l];
        }
        return means;
    }

    private static void requireSameShape(float[][] a, float[][] b, String aName, String bName) {
        Rows.requirePresent(a, aName);
        Rows.requirePresent(b, bName);
        if (a.length != b.length) {
            throw new IllegalArgumentException(aName + " has " + a.length + " tokens, " + bName + " has " + b.length);
        }
        for (int t = 0; t < a.length; t++) {
            if (a[t].length != b[t].length) {
                throw new IllegalArgumentException(aName + " token " + t + " has width " + a[t].length + ", "
                        + bName + " has " + b[t].length);
            }
        }
    }
}
