package org.lvlmworkbench.core.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.compress.evaluate.EvaluationResult;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSettings;
import org.lvlmworkbench.core.compress.evaluate.PlanEvaluator;
import org.lvlmworkbench.core.compress.evaluate.ReferenceCache;
import org.lvlmworkbench.core.compress.lowrank.Allocation;
import org.lvlmworkbench.core.compress.lowrank.Factorization;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.lowrank.SocoSettings;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.compress.soco.SocoRun;
import org.lvlmworkbench.core.compress.soco.SocoTrainer;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.linalg.LowRank;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.testing.TinyModels;

/**
 * SoCo on the sample: 4 calibration items, the default 40 steps, 40 % of the decoder's linear-map
 * parameters removed. One training serves every test (the Compressor caches it).
 *
 * <p>The engine runs on one thread here when this class is the first to start it: on the shared
 * two-core machine the second OpenMP thread spin-waits under load and made these tiny passes about
 * fifty times slower.
 */
class SocoCompressorTest {

    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
    }

    private static final double RATIO = 0.4;
    private static LoadedModel model;
    private static Compressor compressor;
    private static Compressor.SocoPlan soco;

    @BeforeAll
    static void train() {
        model = TinyModels.load(Path.of("samples/llava-shapes"));
        Path eval = Path.of("samples/shapes-eval/eval.jsonl");
        compressor = new Compressor(model, ProbeSet.fromEvalFile(eval, 4).items(), eval.toString());
        CompressionPlan empty = compressor.emptyPlan();
        long started = System.nanoTime();
        soco = compressor.soco(empty, RATIO, compressor.decoderScope(empty), SocoSettings.DEFAULTS, Progress.NONE);
        SocoRun r = soco.run();
        System.out.printf(Locale.ROOT, "SoCo on the sample: %d steps in %.1f s (%.3f s a step); deviation (mean KL, nats) "
                + "learned %.3e vs SVD-LLM in sigma order at the same ranks %.3e; %d components kept out of sigma order; "
                + "%,d of %,d parameters kept (budget %,d)%n", r.history().size(), (System.nanoTime() - started) / 1e9,
                r.secondsPerStep(), r.deviation(), r.sigmaOrderDeviation(), r.reordered(), r.keptParameters(),
                r.totalParameters(), r.budget());
        for (SocoTrainer.Step s : r.history()) {
            if (s.step() % 4 == 0 || s.step() == r.history().size() - 1) {
                System.out.printf(Locale.ROOT, "  step %2d %-6s deviation %.3e  lambda %.3g  active %,d%n", s.step(),
                        s.phase(), s.deviation(), s.penalty(), s.activeParameters());
            }
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theBudgetIsMetAndThePlanRanksEveryDecoderMapBySoco() {
        SocoRun r = soco.run();
        CompressionPlan plan = soco.plan();
        long kept = 0;
        for (Map.Entry<String, MatrixRank> e : plan.ranks().entrySet()) {
            ModelShape.Matrix m = compressor.shape().matrices().get(e.getKey());
            assertEquals("soco", e.getValue().method());
            assertEquals(r.ranks().get(e.getKey()), e.getValue().rank());
            assertTrue(e.getValue().rank() >= 1 && e.getValue().rank() <= m.breakEvenRank(), e.getKey());
            kept += m.factoredParameters(e.getValue().rank());
        }
        assertEquals(56, plan.ranks().size());
        assertEquals(r.keptParameters(), kept);
        assertTrue(kept <= r.budget() && kept > r.budget() - r.step(), kept + " kept, budget " + r.budget());
        assertEquals((long) Math.floor((1 - RATIO) * r.totalParameters()), r.budget());
        // The plan says what its SoCo ranks were trained for, and survives a JSON round trip.
        assertEquals(RATIO, plan.soco().ratio());
        assertEquals(plan, CompressionPlan.fromJson(new JsonFields(null, "", com.google.gson.JsonParser.parseString(
                plan.toJsonString()).getAsJsonObject())));
    }

    @Test
    void learnedScoresReorderComponentsAndBeatSigmaOrderAtTheSameRanks() {
        SocoRun r = soco.run();
        assertTrue(r.reordered() > 0, "the learned scores keep some components sigma order would drop");
        assertTrue(r.deviation() < r.sigmaOrderDeviation(), "learning helps: deviation " + r.deviation()
                + " against SVD-LLM's " + r.sigmaOrderDeviation() + " at the same ranks");
        assertEquals(0, r.history().get(0).deviation(), 1e-9, "step 0 is the s = 1 model itself");
    }

    @Test
    void predictedLossOfATrainedSocoFactorisationIsTheMeasuredLoss() {
        int checked = 0;
        for (String name : soco.plan().ranks().keySet()) {
            if (!name.contains("layers.3.") && !name.contains("layers.6.")) {
                continue;
            }
            Factorization f = compressor.factorization(soco.plan(), name, Progress.NONE);
            assertEquals(LowRankMethod.SOCO, f.method());
            double[] g = compressor.statistics(name, Progress.NONE).gram();
            float[] w = model.model().linears().stream().filter(l -> l.name().equals(name)).findFirst().orElseThrow().map()
                    .weightRows();
            int k = soco.plan().ranks().get(name).rank();
            for (int rank : new int[] {k, Math.max(1, k / 2)}) {
                LowRank t = f.truncate(rank);
                double measured = measured(w, t.dense(), f.rows(), f.cols(), g);
                assertEquals(measured, f.predictedLoss(rank), 1e-5 * f.predictedLoss(0) + 1e-9,
                        name + " at rank " + rank);
            }
            checked++;
        }
        assertEquals(14, checked);
        double predicted = compressor.predictedLoss(soco.plan());
        assertTrue(predicted > 0 && Double.isFinite(predicted), "the plan's predicted loss comes from the cache");
    }

    @Test
    void theAppliedModelHasThePlannedSizeAndIsEvaluated() {
        CompressionPlan plan = soco.plan();
        long saved = 0;
        for (Map.Entry<String, MatrixRank> e : plan.ranks().entrySet()) {
            ModelShape.Matrix m = compressor.shape().matrices().get(e.getKey());
            saved += m.denseParameters() - m.factoredParameters(e.getValue().rank());
        }
        CompressionPlan empty = compressor.emptyPlan();
        CompressionPlan svdLlm = compressor.allocate(empty, LowRankMethod.SVD_LLM, Allocation.UNIFORM, RATIO,
                compressor.decoderScope(empty), Progress.NONE).plan();
        EvalSet set = EvalSet.read(Path.of("samples/shapes-eval/eval.jsonl"));
        PlanEvaluator evaluator = new PlanEvaluator(model, set, new ReferenceCache());
        EvaluationSettings settings = new EvaluationSettings(24, 4, true, null);
        try (LoadedModel compressed = compressor.apply(plan, Progress.NONE);
                LoadedModel uniform = compressor.apply(svdLlm, Progress.NONE)) {
            assertEquals(ModelLoader.parameterCount(model.model()) - saved, ModelLoader.parameterCount(compressed.model()));
            EvaluationResult a = evaluator.evaluate(compressed, settings, null, Progress.NONE);
            EvaluationResult b = evaluator.evaluate(uniform, settings, null, Progress.NONE);
            assertNotNull(a.summary());
            System.out.printf(Locale.ROOT, "24 eval items, 40 %% removed: accuracy original %.3f, SoCo %.3f (agreement %.3f, "
                    + "mean first-token KL %.2e), SVD-LLM uniform %.3f (agreement %.3f, KL %.2e)%n",
                    a.summary().reference().overall().accuracy(), a.summary().candidate().overall().accuracy(),
                    a.summary().agreement(), a.summary().meanKl(), b.summary().candidate().overall().accuracy(),
                    b.summary().agreement(), b.summary().meanKl());
        }
    }

    @Test
    void withoutPenaltyOrSelectionTheScoresStayOneAndTheModelIsSvdLlmAtFullRank() {
        CompressionPlan full = compressor.emptyPlan();
        java.util.List<SocoTrainer.Scoped> scoped = new java.util.ArrayList<>();
        for (ModelShape.Matrix m : compressor.shape().matrices().values()) {
            if (compressor.decoderScope(full).test(m)) {
                Factorization f = compressor.factorization(m.name(), LowRankMethod.SVD_LLM, Progress.NONE);
                scoped.add(new SocoTrainer.Scoped(m.name(), m.name(), f));
                full = full.withRank(m.name(), new MatrixRank(f.maxRank(), "svd-llm"));
            }
        }
        SocoSettings off = SocoSettings.DEFAULTS.withSteps(6).withPenalty(0, 1.5, 1.1).withPhases(1, 0);
        try (LoadedModel training = org.lvlmworkbench.core.compress.apply.PlanApplier.apply(model, compressor.shape(), full,
                (m, w, r, merged) -> compressor.factorization(m.name(), LowRankMethod.SVD_LLM, Progress.NONE)
                        .truncate(r.rank()), true);
                LoadedModel svdLlm = compressor.apply(full, Progress.NONE);
                SocoTrainer trainer = SocoTrainer.open(training, scoped, compressor.calibrationItems())) {
            SocoTrainer.Result r = trainer.train(1, off, Progress.NONE);
            assertEquals(null, r.selection(), "no final phase: nothing selected");
            for (double[] scores : r.scores().values()) {
                for (double v : scores) {
                    assertEquals(1.0, v, 0.0, "with the penalty off, s = 1 is an exact stationary point");
                }
            }
            for (SocoTrainer.Step step : r.history()) {
                assertEquals(0, step.deviation(), 1e-9);
            }
            float[] a = logits(training);
            float[] b = logits(svdLlm);
            double scale = 0;
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                scale = Math.max(scale, Math.abs(b[i]));
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            assertTrue(diff <= 1e-3 * scale, "the trained model is SVD-LLM at full rank: logits differ by " + diff
                    + " of " + scale);
        }
    }

    private static float[] logits(LoadedModel m) {
        var item = compressor.calibrationItems().get(0);
        try (ai.djl.ndarray.NDManager scope = m.model().manager().newSubManager()) {
            var image = org.lvlmworkbench.core.processing.RgbImage.read(item.image());
            long[] ids = m.processor().encode(item.prompt(), 1);
            ai.djl.ndarray.NDArray out = m.model().forward(scope.create(ids, new ai.djl.ndarray.types.Shape(1, ids.length)),
                    m.processor().pixelValues(java.util.List.of(image), scope), org.lvlmworkbench.core.hooks.Hooks.NONE, null);
            float[] v = out.toFloatArray();
            out.close();
            return v;
        }
    }

    /** {@code ‖(W − approx)·Xᵀ‖²_F = tr(D·G·Dᵀ)}, {@code D = W − approx}. */
    private static double measured(float[] w, double[] approx, int m, int n, double[] g) {
        double sum = 0;
        double[] d = new double[n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                d[j] = w[i * n + j] - approx[i * n + j];
            }
            for (int a = 0; a < n; a++) {
                double row = 0;
                for (int b = 0; b < n; b++) {
                    row += g[a * n + b] * d[b];
                }
                sum += d[a] * row;
            }
        }
        return sum;
    }
}
