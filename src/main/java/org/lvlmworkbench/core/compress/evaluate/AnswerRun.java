package org.lvlmworkbench.core.compress.evaluate;

/**
 * One model's greedy answer to one item, with what it cost.
 *
 * @param answer        the decoded answer
 * @param newTokens     tokens generated (the end-of-sequence token not included)
 * @param prefillNanos  measured time of the pass over the prompt (image included), as {@code Generator} times it
 * @param decodeNanos   measured time of every later step
 * @param decodeSteps   forward passes after the prefill (one per generated token fed back)
 * @param prefillFlops  the prefill's operations, as run ({@link FlopCounter})
 * @param decodeFlops   the decode steps' operations together
 */
public record AnswerRun(String answer, int newTokens, long prefillNanos, long decodeNanos, int decodeSteps,
        FlopCount prefillFlops, long decodeFlops) {

    /** Measured time per decode step, or NaN without one. */
    public double decodeNanosPerStep() {
        return decodeSteps == 0 ? Double.NaN : (double) decodeNanos / decodeSteps;
    }

    public long totalFlops() {
        return prefillFlops.total() + decodeFlops;
    }
}
