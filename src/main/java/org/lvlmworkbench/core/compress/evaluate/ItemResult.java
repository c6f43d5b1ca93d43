package org.lvlmworkbench.core.compress.evaluate;

/**
 * One evaluated item: both models' answers, whether each matches the expected answer (the rule of
 * {@code Evaluator.matches}), whether they agree with each other (the same rule between the two answers)
 * and how far the candidate's first-answer-token distribution is from the reference's.
 *
 * @param index              the item's position in the evaluation file
 * @param kl                 {@code KL(P_ref ‖ P_cand)} in nats at the first answer position
 * @param referenceFromCache whether the reference side came from the {@link ReferenceCache} instead of a run
 */
public record ItemResult(int index, String type, String prompt, String expected, AnswerRun reference,
        AnswerRun candidate, boolean referenceCorrect, boolean candidateCorrect, boolean agrees, double kl,
        boolean referenceFromCache) {
}
