package org.lvlmworkbench.core.analysis.evolution;

/**
 * The lens's next-token distribution at one entry (layer) for one position, summarised.
 *
 * @param entry         0 = embeddings, ℓ = output of block ℓ−1; the last is the model's own output
 * @param topIds        the most likely tokens, most likely first
 * @param topTexts      their text
 * @param topProbs      their probabilities
 * @param emittedProb   probability of the token the model emitted at this step (NaN when none: end of sequence)
 * @param emittedRank   its rank, 1 = most likely (0 when none)
 * @param expectedProb  probability of the expected answer's token for this step (NaN when unknown)
 * @param expectedRank  its rank (0 when unknown)
 * @param entropyBits   entropy of the distribution
 */
public record LayerPrediction(int entry, long[] topIds, String[] topTexts, double[] topProbs, double emittedProb,
        int emittedRank, double expectedProb, int expectedRank, double entropyBits) {
}
