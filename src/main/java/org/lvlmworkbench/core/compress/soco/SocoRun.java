package org.lvlmworkbench.core.compress.soco;

import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.compress.lowrank.SocoSettings;

/**
 * A finished SoCo training for one (calibration, base plan, scope, ratio, settings).
 *
 * @param key                 the factorisations' settings string (their cache key)
 * @param scores              per matrix, its learned scores in {@code σ} order (dropped ones 0)
 * @param kept                per matrix, which components survive
 * @param ranks               per matrix, how many survive
 * @param totalParameters     {@code Σ m·n} of the scope
 * @param budget              {@code ⌊(1 − ratio)·Σ m·n⌋}
 * @param keptParameters      {@code Σ rank·(m + n)}
 * @param step                the largest {@code m + n}
 * @param history             the training steps
 * @param deviation           the calibration deviation (mean KL to the {@code s = 1} model) of the result
 * @param sigmaOrderDeviation the same for SVD-LLM truncated in {@code σ} order at the same ranks, scores 1
 */
public record SocoRun(String key, double ratio, SocoSettings settings, Map<String, double[]> scores,
        Map<String, boolean[]> kept, Map<String, Integer> ranks, long totalParameters, long budget, long keptParameters,
        long step, List<SocoTrainer.Step> history, double deviation, double sigmaOrderDeviation) {

    /** Mean wall time of a training step, in seconds. */
    public double secondsPerStep() {
        return history.stream().mapToDouble(SocoTrainer.Step::seconds).average().orElse(Double.NaN);
    }

    /** Components kept out of {@code σ} order: kept although a larger-{@code σ} component of the same matrix was dropped. */
    public int reordered() {
        int count = 0;
        for (boolean[] k : kept.values()) {
            int rank = 0;
            for (boolean b : k) {
                rank += b ? 1 : 0;
            }
            for (int i = rank; i < k.length; i++) {
                count += k[i] ? 1 : 0;
            }
        }
        return count;
    }
}
