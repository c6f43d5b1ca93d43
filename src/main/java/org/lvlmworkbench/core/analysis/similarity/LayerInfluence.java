package org.lvlmworkbench.core.analysis.similarity;

/**
 * Per decoder block, what compression reads to choose drops and merges.
 *
 * @param tokens              the positions it was computed on
 * @param influence           ShortGPT's Block Influence: mean over tokens of 1 − cos(input, output)
 * @param lastTokenCosine     mean over items of the cosine between the block's input and output at
 *                            the last prompt position (the hidden state that predicts the answer)
 * @param tokensPerBlock      how many tokens entered each block's mean
 */
public record LayerInfluence(TokenSelection tokens, double[] influence, double[] lastTokenCosine,
        long tokensPerBlock) {
}
