package org.lvlmworkbench.core.compress.evaluate;

import java.nio.file.Path;
import org.lvlmworkbench.core.compress.plan.Calibration;

/**
 * How a plan is evaluated.
 *
 * @param items                 how many items, from {@code firstItem} on
 * @param maxNewTokens          the greedy answers' length limit (the CLI's {@code eval} uses 8)
 * @param skipWarmup            whether the first item's times stay out of the latency medians (the first
 *                              pass of a model warms the engine's kernels and caches); counted only when
 *                              at least two items were measured
 * @param predictedWhitenedLoss the plan's own prediction of its loss, carried into the summary and printed; null
 *                              when the plan has none
 * @param firstItem             the index (from 0) of the first item evaluated: past the calibration items when
 *                              the plan was calibrated on the same file ({@link #heldOutFrom})
 */
public record EvaluationSettings(int items, int maxNewTokens, boolean skipWarmup, Double predictedWhitenedLoss,
        int firstItem) {

    public EvaluationSettings {
        if (items < 1) {
            throw new IllegalArgumentException("items must be at least 1, got " + items);
        }
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (firstItem < 0) {
            throw new IllegalArgumentException("firstItem must be at least 0, got " + firstItem);
        }
    }

    /** From the first item of the file. */
    public EvaluationSettings(int items, int maxNewTokens, boolean skipWarmup, Double predictedWhitenedLoss) {
        this(items, maxNewTokens, skipWarmup, predictedWhitenedLoss, 0);
    }

    /** 32 items, 8 new tokens, warm-up skipped, no prediction, from the first item. */
    public static EvaluationSettings defaults() {
        return new EvaluationSettings(32, 8, true, null);
    }

    public EvaluationSettings withItems(int n) {
        return new EvaluationSettings(n, maxNewTokens, skipWarmup, predictedWhitenedLoss, firstItem);
    }

    public EvaluationSettings withPredictedWhitenedLoss(Double loss) {
        return new EvaluationSettings(items, maxNewTokens, skipWarmup, loss, firstItem);
    }

    public EvaluationSettings withFirstItem(int index) {
        return new EvaluationSettings(items, maxNewTokens, skipWarmup, predictedWhitenedLoss, index);
    }

    /** Whether a file of {@code fileItems} items has none from {@link #firstItem} on. */
    public boolean startsPast(int fileItems) {
        return firstItem >= fileItems;
    }

    /**
     * These settings, started past the calibration items when {@code evalFile} is the file they came from
     * (calibration takes a file's first items): a plan fitted to some items, by whitening or by SoCo's
     * training, is then not scored on them. Unchanged for another file, or without calibration.
     */
    public EvaluationSettings heldOutFrom(Calibration calibration, Path evalFile) {
        if (calibration == null || evalFile == null || calibration.items() == 0 || calibration.source() == null) {
            return this;
        }
        Path source = Path.of(calibration.source()).toAbsolutePath().normalize();
        return source.equals(evalFile.toAbsolutePath().normalize()) ? withFirstItem(calibration.items()) : this;
    }
}
