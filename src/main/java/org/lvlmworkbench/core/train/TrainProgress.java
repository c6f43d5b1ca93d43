package org.lvlmworkbench.core.train;

/** One report from a training run; {@code validationAccuracy} is NaN on steps that did not validate. */
public record TrainProgress(int step, int totalSteps, double loss, double learningRate, double validationAccuracy,
        double elapsedSeconds) {
}
