package org.lvlmworkbench.core.analysis.similarity;

import java.util.List;

/**
 * CKA between every pair of one tower's layers (the embeddings first, then each block's output).
 *
 * @param tower       {@code text} or {@code vision}
 * @param tokens      the positions it was computed on
 * @param kernel      linear or RBF
 * @param labels      one per layer: "embeddings", "block 0" …
 * @param values      symmetric, diagonal 1 (NaN for a layer that never varies)
 * @param minibatches how many minibatches were summed
 * @param examples    how many tokens in all
 */
public record CkaMatrix(String tower, TokenSelection tokens, CkaKernel kernel, List<String> labels, double[][] values,
        int minibatches, long examples) {
}
