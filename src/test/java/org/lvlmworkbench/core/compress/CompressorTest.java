package org.lvlmworkbench.core.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.compress.lowrank.Allocation;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.testing.TinyModels;

/** The compression workspace on the sample: allocation into a plan, the plan's predicted loss, apply from the cache. */
class CompressorTest {

    private static LoadedModel model;
    private static Compressor compressor;

    @BeforeAll
    static void load() {
        model = TinyModels.load(Path.of("samples/llava-shapes"));
        Path eval = Path.of("samples/shapes-eval/eval.jsonl");
        compressor = new Compressor(model, ProbeSet.fromEvalFile(eval, 3).items(), eval.toString());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void anAllocatedPlanBuildsAModelOfExactlyThePlannedSize() {
        CompressionPlan empty = compressor.emptyPlan();
        Compressor.Allocated a = compressor.allocate(empty, LowRankMethod.SVD_LLM, Allocation.LOSS, 0.4,
                compressor.decoderScope(empty), Progress.NONE);
        CompressionPlan plan = a.plan();
        assertTrue(plan.ranks().size() > 20, plan.ranks().size() + " ranked matrices");
        long saved = 0;
        double predicted = 0;
        for (var e : plan.ranks().entrySet()) {
            ModelShape.Matrix m = compressor.shape().matrices().get(e.getKey());
            int k = e.getValue().rank();
            assertTrue(k < m.breakEvenRank(), e.getKey() + " at rank " + k + " saves nothing");
            saved += m.denseParameters() - m.factoredParameters(k);
            predicted += compressor.cachedFactorization(e.getKey(), LowRankMethod.SVD_LLM).predictedLoss(k);
        }
        assertEquals(predicted, compressor.predictedLoss(plan), 1e-9 * predicted);
        assertTrue(a.allocation().keptParameters() <= a.allocation().budget());
        long factorised = compressor.cache().computed();
        try (LoadedModel compressed = compressor.apply(plan, Progress.NONE)) {
            assertEquals(ModelLoader.parameterCount(model.model()) - saved, ModelLoader.parameterCount(compressed.model()));
        }
        assertEquals(factorised, compressor.cache().computed(), "applying re-slices the cached factorisations");
        assertTrue(compressor.predictedRelativeLoss(plan) > 0 && compressor.predictedRelativeLoss(plan) < 1);
        assertTrue(Double.isNaN(compressor.predictedLoss(plan.withRank(plan.ranks().firstKey(),
                new org.lvlmworkbench.core.compress.plan.MatrixRank(3, "plain")))), "not cached: NaN, nothing computed");
    }
}
