package org.lvlmworkbench.core.train;

import java.util.Map;

/**
 * One report from a training run. {@code validationAccuracy} is NaN, and {@code accuracyByType}
 * empty, on steps that did not validate; {@code skipped} counts batches dropped for a non-finite
 * gradient so far.
 */
public record TrainProgress(int step, int totalSteps, double loss, double learningRate, double validationAccuracy,
        Map<String, Double> accuracyByType, int skipped, double elapsedSeconds) {
}
