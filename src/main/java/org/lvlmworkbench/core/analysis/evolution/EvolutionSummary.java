package org.lvlmworkbench.core.analysis.evolution;

/**
 * The probe set's evolution at the first answer token, aggregated over items.
 *
 * @param medianJsNext     per transition, the median over items of the divergence between consecutive entries (bits)
 * @param lowerJsNext      per transition, the first quartile
 * @param upperJsNext      per transition, the third quartile
 * @param medianJsToFinal  per entry, the median divergence to the model's output (bits)
 * @param medianAnswerProb per entry, the median probability of the emitted answer token
 * @param stages           the rule applied to the median curve
 * @param criticalMedian   the median of the items' own critical transitions (NaN when none settles)
 * @param criticalLower    its first quartile
 * @param criticalUpper    its third quartile
 * @param itemsWithMutation how many items have a mutation transition
 * @param finalStepOnly    how many of those have it only at the last transition
 */
public record EvolutionSummary(double[] medianJsNext, double[] lowerJsNext, double[] upperJsNext,
        double[] medianJsToFinal, double[] medianAnswerProb, Stages stages, double criticalMedian,
        double criticalLower, double criticalUpper, int itemsWithMutation, int finalStepOnly) {
}
