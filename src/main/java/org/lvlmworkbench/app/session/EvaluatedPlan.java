package org.lvlmworkbench.app.session;

import org.lvlmworkbench.core.compress.evaluate.EvaluationSummary;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;

/**
 * A plan whose evaluation finished, as one point of the cost/quality trade-off: what it keeps of the
 * model and how well the compressed model still answers.
 *
 * @param plan          the plan, to restore
 * @param parameters    parameters of the compressed model
 * @param flops         mean operations per answer of the compressed model (prefill and decode)
 * @param accuracy      exact-match accuracy of the compressed model on the evaluated items
 * @param agreement     share of items where it answers as the original does
 * @param meanKl        mean KL of its first answer token from the original's, in nats
 * @param items         items evaluated
 * @param original      whether this point is the original model itself (no plan)
 */
public record EvaluatedPlan(CompressionPlan plan, long parameters, double flops, double accuracy, double agreement,
        double meanKl, int items, boolean original) {

    /** The compressed model's side of {@code summary}. */
    public static EvaluatedPlan of(CompressionPlan plan, EvaluationSummary summary) {
        return new EvaluatedPlan(plan, summary.candidate().parameters(), summary.candidate().flopsPerAnswer(),
                summary.candidate().overall().accuracy(), summary.agreement(), summary.meanKl(), summary.items(),
                false);
    }

    /** The reference side of {@code summary}: the original model, which {@code emptyPlan} restores. */
    public static EvaluatedPlan originalOf(CompressionPlan emptyPlan, EvaluationSummary summary) {
        return new EvaluatedPlan(emptyPlan, summary.reference().parameters(), summary.reference().flopsPerAnswer(),
                summary.reference().overall().accuracy(), 1, 0, summary.items(), true);
    }
}
