package org.lvlmworkbench.core.compress.depth;

import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;

/**
 * One-shot removals by score, applied to a plan: ShortGPT drops the {@code n} whole blocks of lowest
 * Block Influence; LLM-Drop drops the {@code n} attention (or MLP) sub-layers whose output changes
 * the stream least, i.e. of lowest {@code 1 − cos(X, X + F(LN(X)))}. Ties go to the lower layer.
 * Candidates are the layers the plan keeps whole (not dropped, not merged, no sub-layer dropped).
 */
public final class LayerDrops {

    private LayerDrops() {
    }

    /** ShortGPT (arXiv 2403.03853): {@code plan} with the {@code n} lowest-influence blocks dropped. */
    public static CompressionPlan shortGpt(CompressionPlan plan, DepthScores scores, int n) {
        List<Integer> chosen = lowest(plan, scores.blockInfluence(), n, "blocks");
        CompressionPlan out = plan;
        for (int layer : chosen) {
            out = out.withDroppedLayer(layer, true).withDroppedAttention(layer, false).withDroppedMlp(layer, false);
        }
        return out;
    }

    /** LLM-Drop attention drop (arXiv 2406.15786): the {@code n} least important attention sub-layers. */
    public static CompressionPlan dropAttention(CompressionPlan plan, DepthScores scores, int n) {
        List<Integer> chosen = lowest(plan, scores.attentionImportance(), n,
                "attention sub-layers");
        CompressionPlan out = plan;
        for (int layer : chosen) {
            out = out.withDroppedAttention(layer, true);
        }
        return out;
    }

    /** LLM-Drop MLP drop: the {@code n} least important MLP sub-layers. */
    public static CompressionPlan dropMlp(CompressionPlan plan, DepthScores scores, int n) {
        List<Integer> chosen = lowest(plan, scores.mlpImportance(), n, "MLP sub-layers");
        CompressionPlan out = plan;
        for (int layer : chosen) {
            out = out.withDroppedMlp(layer, true);
        }
        return out;
    }

    /** The {@code n} layers of lowest score among those the plan keeps whole; ties go to the lower layer. */
    private static List<Integer> lowest(CompressionPlan plan, double[] score, int n, String what) {
        List<Integer> candidates = IntStream.range(0, score.length).boxed()
                .filter(l -> plan.keepsLayer(l) && (plan.mergeOf(l) == null || plan.mergeOf(l).first() == plan.mergeOf(l).last()))
                .filter(l -> !plan.droppedAttention().contains(l) && !plan.droppedMlp().contains(l))
                .sorted(Comparator.comparingDouble((Integer l) -> score[l]).thenComparingInt(l -> l))
                .toList();
        if (n < 0 || n >= candidates.size()) {
            throw new IllegalArgumentException("cannot drop " + n + " " + what + ": " + candidates.size()
                    + " layers are candidates and at least one must stay");
        }
        return candidates.subList(0, n);
    }
}
