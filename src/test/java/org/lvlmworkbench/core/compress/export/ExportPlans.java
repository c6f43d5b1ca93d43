package org.lvlmworkbench.core.compress.export;

import java.util.LinkedHashMap;
import java.util.Map;
import org.lvlmworkbench.core.compress.apply.PlanApplier;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.linalg.Whitening;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/** The plans the export tests write, on the shipped sample ({@code samples/llava-shapes}: 8 decoder layers). */
final class ExportPlans {

    private static final String TEXT = "language_model.model.layers.";

    private ExportPlans() {
    }

    /** SVD-LLM with the identity Gram: the plain truncated SVD, deterministic and fast. */
    static final PlanApplier.Factorizer PLAIN = (matrix, weight, rank, merged) -> {
        double[] identity = new double[matrix.cols() * matrix.cols()];
        for (int i = 0; i < matrix.cols(); i++) {
            identity[i * matrix.cols() + i] = 1;
        }
        return Whitening.of(identity, matrix.cols()).truncate(weight, matrix.rows(), rank.rank());
    };

    /** Whole-layer changes only: merge 2..3 (RDSC) and drop layer 6; a plain checkpoint. */
    static CompressionPlan mergeAndDrop(String fingerprint) {
        return CompressionPlan.empty(fingerprint).withMerge(new MergeGroup(2, 3, MergeFormula.RDSC))
                .withDroppedLayer(6, true);
    }

    /** Mixed ranks over every role, a vision map and the projector. */
    static Map<String, MatrixRank> mixedRanks() {
        Map<String, MatrixRank> r = new LinkedHashMap<>();
        r.put(TEXT + "0.self_attn.q_proj.weight", new MatrixRank(8, "plain"));
        r.put(TEXT + "1.self_attn.k_proj.weight", new MatrixRank(16, "plain"));
        r.put(TEXT + "1.self_attn.v_proj.weight", new MatrixRank(40, "plain"));
        r.put(TEXT + "3.mlp.up_proj.weight", new MatrixRank(24, "plain"));
        r.put(TEXT + "4.mlp.down_proj.weight", new MatrixRank(40, "plain"));
        r.put(TEXT + "5.self_attn.o_proj.weight", new MatrixRank(12, "plain"));
        r.put(TEXT + "7.mlp.gate_proj.weight", new MatrixRank(32, "plain"));
        r.put("vision_tower.vision_model.encoder.layers.1.self_attn.q_proj.weight", new MatrixRank(24, "plain"));
        r.put("multi_modal_projector.linear_1.weight", new MatrixRank(32, "plain"));
        return r;
    }

    /** Low-rank factors with mixed ranks, plus LLM-Drop's sub-layer drops (attention of 6, MLP of 5). */
    static CompressionPlan lowRank(String fingerprint) {
        return CompressionPlan.empty(fingerprint).withRanks(mixedRanks()).withDroppedAttention(6, true)
                .withDroppedMlp(5, true);
    }

    /** The same ranks without drops: exported dense, a plain checkpoint. */
    static CompressionPlan ranksOnly(String fingerprint) {
        return CompressionPlan.empty(fingerprint).withRanks(mixedRanks());
    }

    /** FastV before original layer 3 removing half the image tokens, with layer 1 dropped (so it runs before layer 2). */
    static CompressionPlan fastV(String fingerprint) {
        return CompressionPlan.empty(fingerprint).withDroppedLayer(1, true)
                .withTokenPruning(VisualTokenPruning.fastV(3, 0.5));
    }

    /** Every other pruning method in one policy (diversity, adaptive, schedule) over a merged top. */
    static CompressionPlan pruningMix(String fingerprint) {
        return CompressionPlan.empty(fingerprint).withMerge(new MergeGroup(6, 7, MergeFormula.RDSC))
                .withTokenPruning(VisualTokenPruning.of(new VisualTokenPruning.Diversity(1, 0.25),
                        new VisualTokenPruning.Adaptive(3, 0.9, 4), new VisualTokenPruning.Schedule(5, 0.25)));
    }
}
