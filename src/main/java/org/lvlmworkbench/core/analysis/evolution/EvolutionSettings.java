package org.lvlmworkbench.core.analysis.evolution;

/**
 * Settings of a knowledge-evolution run; saved with its results.
 *
 * @param lens             how residual streams are read as distributions
 * @param topK             tokens kept per layer and position
 * @param maxNewTokens     answer tokens generated (and followed) per item
 * @param promptPositions  also follow every text position of the prompt (each predicting the next
 *                         prompt token), not only the answer's
 * @param stages           the critical/mutation rule's thresholds
 */
public record EvolutionSettings(LensMode lens, int topK, int maxNewTokens, boolean promptPositions,
        StageSettings stages) {

    public static EvolutionSettings defaults() {
        return new EvolutionSettings(LensMode.NORMED, 5, 8, false, StageSettings.DEFAULT);
    }

    public EvolutionSettings {
        if (topK < 1) {
            throw new IllegalArgumentException("topK must be at least 1, got " + topK);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
    }
}
