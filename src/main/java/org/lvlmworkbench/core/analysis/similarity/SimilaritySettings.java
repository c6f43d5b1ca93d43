package org.lvlmworkbench.core.analysis.similarity;

/**
 * Settings of a layer-similarity run; saved with its results.
 *
 * @param minibatch          tokens per CKA minibatch (more than 3); HSIC is summed over minibatches
 * @param tokensPerItem      at most this many positions of each selection are drawn from one item
 *                           (seeded), which bounds memory on long prompts and keeps one item from
 *                           dominating
 * @param bandwidthFraction  the RBF kernel's σ as a fraction of the median pairwise distance
 * @param seed               the seed of the position draws
 */
public record SimilaritySettings(int minibatch, int tokensPerItem, double bandwidthFraction, long seed) {

    public static SimilaritySettings defaults() {
        return new SimilaritySettings(256, 64, CkaAccumulator.DEFAULT_BANDWIDTH_FRACTION, 1);
    }

    public SimilaritySettings {
        if (minibatch < 4) {
            throw new IllegalArgumentException("a CKA minibatch needs more than 3 tokens, got " + minibatch);
        }
        if (tokensPerItem < 1) {
            throw new IllegalArgumentException("tokensPerItem must be at least 1, got " + tokensPerItem);
        }
        if (!(bandwidthFraction > 0)) {
            throw new IllegalArgumentException("the RBF bandwidth fraction must be positive, got " + bandwidthFraction);
        }
    }
}
