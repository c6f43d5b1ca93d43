package org.lvlmworkbench.core.analysis.similarity;

import org.lvlmworkbench.core.jobs.Progress;

/**
 * Minibatch CKA between every pair of L layers (Nguyen, Raghu &amp; Kornblith 2021): each minibatch
 * adds its unbiased HSIC₁ for every pair of layers, and {@link #cka()} divides the sums, so the
 * estimate converges to the population CKA as minibatches are added while memory stays at one
 * minibatch's L Gram matrices (n(n−1)/2 doubles each).
 *
 * <p>Cost per minibatch of n examples: O(n²·Σ d_layer) for the Grams, then O(L²·n²) for all
 * L(L+1)/2 pairs. Not thread-safe; feed it from one thread.
 */
public final class CkaAccumulator {

    /** The RBF bandwidth, as a fraction of the median distance, that Kornblith et al. use. */
    public static final double DEFAULT_BANDWIDTH_FRACTION = 0.5;

    private final int layers;
    private final CkaKernel kernel;
    private final double bandwidthFraction;
    /** Σ_b HSIC₁(K_b^i, K_b^j) over minibatches b, both halves filled. */
    private final double[][] hsicSums;
    /** Feature width of each layer, fixed by the first minibatch; 0 before it. */
    private final int[] widths;
    private int minibatches;
    private long examples;

    /** A linear-kernel accumulator, or an RBF one with the default bandwidth fraction 0.5. */
    public CkaAccumulator(int layers, CkaKernel kernel) {
        this(layers, kernel, DEFAULT_BANDWIDTH_FRACTION);
    }

    /**
     * @param bandwidthFraction for RBF, σ as a fraction of the median pairwise distance (σ² = fraction² ·
     *                          median squared distance, per layer and minibatch); ignored for LINEAR
     */
    public CkaAccumulator(int layers, CkaKernel kernel, double bandwidthFraction) {
        if (layers < 1) {
            throw new IllegalArgumentException("CKA needs at least one layer, got " + layers);
        }
        if (kernel == null) {
            throw new IllegalArgumentException("no CKA kernel given");
        }
        if (!(bandwidthFraction > 0) || Double.isInfinite(bandwidthFraction)) {
            throw new IllegalArgumentException("RBF bandwidth fraction must be positive and finite, got "
                    + bandwidthFraction);
        }
        this.layers = layers;
        this.kernel = kernel;
        this.bandwidthFraction = bandwidthFraction;
        this.hsicSums = new double[layers][layers];
        this.widths = new int[layers];
    }

    /** {@link #addMinibatch(float[][][], Progress)} with no progress reports and no cancellation. */
    public void addMinibatch(float[][][] features) {
        addMinibatch(features, Progress.NONE);
    }

    /**
     * Adds one minibatch. Nothing is added unless the whole minibatch succeeds, so a cancelled or
     * refused minibatch leaves the sums as they were.
     *
     * @param features features[layer] is an n×d_layer matrix as n rows of d_layer values: row i is
     *                 example (or token) i, the same example in every layer. n must exceed 3 and is
     *                 the same for all layers; d_layer may differ between layers but not between
     *                 minibatches.
     * @throws java.util.concurrent.CancellationException when {@code progress} is cancelled
     */
    public void addMinibatch(float[][][] features, Progress progress) {
        int n = checkShape(features);
        // Progress counts work in units of n²/2 multiply-adds: a layer's Gram costs its width, a pair costs 1.
        double work = layers * (layers + 1) / 2.0;
        for (float[][] layer : features) {
            work += layer[0].length;
        }
        double done = 0;
        HollowGram[] grams = new HollowGram[layers];
        for (int l = 0; l < layers; l++) {
            progress.update(done / work, "CKA: Gram of layer " + l + " (" + n + " examples)");
            double[][] x = Rows.widen(features[l], "features[" + l + "]");
            grams[l] = kernel == CkaKernel.LINEAR
                    ? HollowGram.linear(x, "features[" + l + "]", progress)
                    : HollowGram.rbf(x, bandwidthFraction, "features[" + l + "]", progress);
            done += x[0].length;
        }
        double[][] hsic = new double[layers][layers];
        for (int i = 0; i < layers; i++) {
            progress.update(done / work, "CKA: pairs of layer " + i);
            for (int j = i; j < layers; j++) {
                progress.checkCancelled();
                hsic[i][j] = grams[i].unbiasedHsic(grams[j]);
            }
            done += layers - i;
        }
        for (int i = 0; i < layers; i++) {
            for (int j = i; j < layers; j++) {
                hsicSums[i][j] += hsic[i][j];
                hsicSums[j][i] = hsicSums[i][j];
            }
            widths[i] = features[i][0].length;
        }
        minibatches++;
        examples += n;
        progress.update(1, "CKA: " + minibatches + " minibatches, " + examples + " examples");
    }

    /**
     * The L×L CKA matrix: Σ_b HSIC₁(K_b, L_b) / sqrt(Σ_b HSIC₁(K_b, K_b) · Σ_b HSIC₁(L_b, L_b)), the sums
     * taken over minibatches before the ratio. Symmetric, with 1 on the diagonal. A layer whose features
     * never varied within a minibatch has zero self-HSIC, and CKA is undefined for it: NaN in its row,
     * column and diagonal entry.
     */
    public double[][] cka() {
        if (minibatches == 0) {
            throw new IllegalStateException("no minibatch added yet: CKA is undefined");
        }
        double[][] cka = new double[layers][layers];
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < layers; j++) {
                boolean defined = hsicSums[i][i] > 0 && hsicSums[j][j] > 0;
                // sqrt of each factor, not of the product, so tiny or huge activations neither underflow nor overflow
                cka[i][j] = !defined ? Double.NaN
                        : i == j ? 1 : hsicSums[i][j] / (Math.sqrt(hsicSums[i][i]) * Math.sqrt(hsicSums[j][j]));
            }
        }
        return cka;
    }

    public int layers() {
        return layers;
    }

    public CkaKernel kernel() {
        return kernel;
    }

    public double bandwidthFraction() {
        return bandwidthFraction;
    }

    public int minibatches() {
        return minibatches;
    }

    /** Examples (rows) added over all minibatches. */
    public long examples() {
        return examples;
    }

    /** n, after checking that there is one matrix per layer, each of n &gt; 3 rows of the layer's width. */
    private int checkShape(float[][][] features) {
        if (features == null || features.length != layers) {
            throw new IllegalArgumentException("features must hold one matrix per layer: expected " + layers
                    + ", got " + (features == null ? "none" : features.length));
        }
        int n = -1;
        for (int l = 0; l < layers; l++) {
            String what = "features[" + l + "]";
            Rows.requirePresent(features[l], what);
            if (n < 0) {
                n = features[l].length;
            } else if (features[l].length != n) {
                throw new IllegalArgumentException(what + " has " + features[l].length
                        + " rows, features[0] has " + n + ": every layer must see the same examples");
            }
            if (widths[l] != 0 && features[l][0].length != widths[l]) {
                throw new IllegalArgumentException(what + " has " + features[l][0].length
                        + " features per row, earlier minibatches had " + widths[l]);
            }
        }
        if (n <= 3) {
            throw new IllegalArgumentException("a minibatch of " + n
                    + " examples is too small: the unbiased HSIC estimator needs more than 3 (it divides by n − 3)");
        }
        return n;
    }
}
