package org.lvlmworkbench.core.compress;

import java.util.List;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSummary;
import org.lvlmworkbench.core.compress.report.ReportData;
import org.lvlmworkbench.core.eval.EvalSet;

/**
 * What a compression report should contain beyond what the plan and the model give.
 *
 * @param evaluation      an evaluation already run (the app's live one), or null to run one here
 * @param evalSet         the items to evaluate on when {@code evaluation} is null, or null for none
 * @param evaluationItems how many of them (0: no evaluation)
 * @param similarity      whether to compute the original decoder's layer similarity on the calibration items
 * @param otherPoints     further evaluated plans for the Pareto chart (the app's), besides the original and this one
 */
public record ReportRequest(EvaluationSummary evaluation, EvalSet evalSet, int evaluationItems, boolean similarity,
        List<ReportData.ParetoPoint> otherPoints) {

    public ReportRequest {
        if (evaluationItems < 0) {
            throw new IllegalArgumentException("evaluation items must be 0 or more, got " + evaluationItems);
        }
        otherPoints = List.copyOf(otherPoints);
    }

    /** Evaluate {@code items} items of {@code set} and compute the layer similarity. */
    public static ReportRequest evaluating(EvalSet set, int items) {
        return new ReportRequest(null, set, items, true, List.of());
    }
}
