package org.lvlmworkbench.core.compress.evaluate;

/**
 * How a plan is evaluated.
 *
 * @param items                 how many items, from the start of the evaluation file
 * @param maxNewTokens          the greedy answers' length limit (the CLI's {@code eval} uses 8)
 * @param skipWarmup            whether the first item's times stay out of the latency medians (the first
 *                              pass of a model warms the engine's kernels and caches); counted only when
 *                              at least two items were measured
 * @param predictedWhitenedLoss the plan's own prediction of its loss, carried into the summary and printed; null
 *                              when the plan has none
 */
public record EvaluationSettings(int items, int maxNewTokens, boolean skipWarmup, Double predictedWhitenedLoss) {

    public EvaluationSettings {
        if (items < 1) {
            throw new IllegalArgumentException("items must be at least 1, got " + items);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
    }

    /** 32 items, 8 new tokens, warm-up skipped, no prediction. */
    public static EvaluationSettings defaults() {
        return new EvaluationSettings(32, 8, true, null);
    }

    public EvaluationSettings withItems(int n) {
        return new EvaluationSettings(n, maxNewTokens, skipWarmup, predictedWhitenedLoss);
    }

    public EvaluationSettings withPredictedWhitenedLoss(Double loss) {
        return new EvaluationSettings(items, maxNewTokens, skipWarmup, loss);
    }
}
