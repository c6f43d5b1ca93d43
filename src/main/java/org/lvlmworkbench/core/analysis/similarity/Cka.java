package org.lvlmworkbench.core.analysis.similarity;

import org.lvlmworkbench.core.jobs.Progress;

/**
 * Single-batch CKA with the unbiased HSIC estimator, on whole matrices held in memory: the value that
 * {@link CkaAccumulator} approaches as minibatches are added, and a direct check of the estimator.
 */
public final class Cka {

    private Cka() {
    }

    /**
     * Unbiased linear CKA of two representations of the same n &gt; 3 examples:
     * HSIC₁(K, L) / sqrt(HSIC₁(K, K) · HSIC₁(L, L)) with K = X Xᵀ, L = Y Yᵀ.
     *
     * @param x n×d₁ rows, one per example
     * @param y n×d₂ rows, the same examples in the same order
     * @return NaN when either representation is the same for every example (zero self-HSIC)
     */
    public static double linearFullBatch(double[][] x, double[][] y) {
        HollowGram k = HollowGram.linear(x, "x", Progress.NONE);
        HollowGram l = HollowGram.linear(y, "y", Progress.NONE);
        return k.unbiasedHsic(l) / Math.sqrt(k.unbiasedHsic(k) * l.unbiasedHsic(l));
    }

    /**
     * HSIC₁(K, L) of Song et al. 2012 (Nguyen, Raghu &amp; Kornblith 2021, eq. 3) for two symmetric n×n
     * Gram matrices, n &gt; 3. Their diagonals are ignored: the estimator zeroes them.
     */
    public static double unbiasedHsic(double[][] k, double[][] l) {
        return HollowGram.of(k, "k").unbiasedHsic(HollowGram.of(l, "l"));
    }
}
