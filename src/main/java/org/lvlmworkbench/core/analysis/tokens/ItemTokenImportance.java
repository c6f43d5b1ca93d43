package org.lvlmworkbench.core.analysis.tokens;

import org.lvlmworkbench.core.analysis.probe.ProbeRun;

/**
 * How much each image token is attended to, for one probe item, from the model's answer and any
 * text position, after the answer was generated (one full pass over prompt and answer, so every
 * position is a query).
 *
 * @param run             the probe run (its token table maps image positions to patch-grid cells)
 * @param imagePositions  the image tokens' positions, in grid order
 * @param queryPositions  every text position (prompt text and answer), ascending
 * @param answerQuery     the position whose output predicts the first answer token (the last prompt position)
 * @param headMean        {@code [layer][query][image]}: attention weight from each query position to
 *                        each image token, averaged over heads
 * @param perHead         {@code [layer][head][image]}: the same from {@code answerQuery}, per head
 * @param rollout         {@code [query][image]}: attention rollout (Abnar &amp; Zuidema) for each query
 *                        row: {@code r ← r·(½Ā_ℓ + ½I)} from the top layer down, Ā the head mean
 */
public record ItemTokenImportance(ProbeRun run, int[] imagePositions, int[] queryPositions, int answerQuery,
        float[][][] headMean, float[][][] perHead, float[][] rollout) {

    /** Index of {@code position} among the query positions, or -1. */
    public int queryIndex(int position) {
        return java.util.Arrays.binarySearch(queryPositions, position) >= 0
                ? java.util.Arrays.binarySearch(queryPositions, position) : -1;
    }

    /**
     * FastV's score of each image token: the head-mean attention of layer {@code k − 1} from the last
     * prompt position (the tokens FastV keeps are the highest).
     */
    public float[] fastV(int k) {
        if (k < 1 || k > headMean.length) {
            throw new IllegalArgumentException("FastV's K must lie in 1.." + headMean.length + ", got " + k);
        }
        return headMean[k - 1][queryIndex(answerQuery)].clone();
    }
}
