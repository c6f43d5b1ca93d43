package org.lvlmworkbench.core.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.compress.Compressor;
import org.lvlmworkbench.core.compress.evaluate.EvaluationResult;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSettings;
import org.lvlmworkbench.core.compress.evaluate.PlanEvaluator;
import org.lvlmworkbench.core.compress.evaluate.ReferenceCache;
import org.lvlmworkbench.core.compress.lowrank.Allocation;
import org.lvlmworkbench.core.compress.lowrank.Factorization;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;

/**
 * {@code bench --compression}: the two interactive targets of compression, each as a ratio to its
 * budget, and the reference they compare with, measured in the same run.
 * <ul>
 * <li>A rank slider's move: a new rank for one matrix → the spectrum marks (energy kept, predicted
 *     loss, parameters factored vs dense) and the plan's totals (parameters, FLOPs per token of the
 *     decoder's linear maps, predicted loss summed over the plan), all from cached factorisations.
 *     Budget: p95 under 16 ms (one frame at 60 Hz).</li>
 * <li>Applying a plan and evaluating it over 100 items, as the app does after a change: the
 *     factorisations are cached (the slider computed them) and so are the original's answers (the
 *     first plan ran it), so what runs is the rebuild and the compressed model's 100 answers.
 *     Budget: 5 s on 2 cores; the reference beside it is the original model answering the same 100
 *     items in the same run.</li>
 * </ul>
 */
public final class CompressionBench {

    private static final double SLIDER_BUDGET_MS = 16;
    private static final double APPLY_EVALUATE_BUDGET_S = 5;

    private CompressionBench() {
    }

    public static JsonObject run(List<Path[]> samples, int items, Consumer<String> log) {
        JsonObject out = new JsonObject();
        JsonArray models = new JsonArray();
        for (Path[] sample : samples) {
            Path folder = sample[0];
            if (!Files.isRegularFile(folder.resolve("config.json"))) {
                log.accept("compression: " + folder + " is not there, skipped");
                continue;
            }
            try (LoadedModel model = ModelLoader.load(folder)) {
                models.add(measure(model, sample[1], items, log));
            }
        }
        out.add("models", models);
        return out;
    }

    static JsonObject measure(LoadedModel model, Path evalFile, int items, Consumer<String> log) {
        JsonObject m = new JsonObject();
        m.addProperty("model", model.folder().toString());
        Compressor c = new Compressor(model, ProbeSet.fromEvalFile(evalFile, 16).items(), evalFile.toString());
        long t0 = System.nanoTime();
        Compressor.Allocated first = c.allocate(c.emptyPlan(), LowRankMethod.SVD_LLM, Allocation.UNIFORM, 0.4,
                c.decoderScope(c.emptyPlan()), Progress.NONE);
        m.addProperty("factorise_all_s", (System.nanoTime() - t0) / 1e9);
        log.accept(String.format("compression: %s: factorised %d decoder matrices in %.1f s", model.folder().getFileName(),
                first.plan().ranks().size(), m.get("factorise_all_s").getAsDouble()));

        // Slider moves: one matrix gets a new rank; everything a view redraws is recomputed from the cache.
        List<ModelShape.Matrix> matrices = c.shape().matrices().values().stream()
                .filter(x -> first.plan().ranks().containsKey(x.name())).toList();
        Random random = new Random(7);
        double[] millis = new double[5000];
        CompressionPlan plan = first.plan();
        double sink = 0;
        for (int i = 0; i < millis.length; i++) {
            long s = System.nanoTime();
            ModelShape.Matrix x = matrices.get(random.nextInt(matrices.size()));
            Factorization f = c.cachedFactorization(x.name(), LowRankMethod.SVD_LLM);
            int k = 1 + random.nextInt(f.maxRank());
            plan = plan.withRank(x.name(), new MatrixRank(k, "svd-llm"));
            double energyKept = org.lvlmworkbench.core.analysis.spectra.MatrixSpectrum.energyRetained(f.singularValues(), k);
            long params = 0;
            for (var e : plan.ranks().entrySet()) {
                ModelShape.Matrix y = c.shape().matrices().get(e.getKey());
                params += Math.min(y.denseParameters(), y.factoredParameters(e.getValue().rank()));
            }
            double flopsPerToken = 2.0 * params;
            sink += energyKept + f.predictedLoss(k) + f.parameters(k) + flopsPerToken + c.predictedLoss(plan);
            millis[i] = (System.nanoTime() - s) / 1e6;
        }
        Arrays.sort(millis);
        double p95 = millis[(int) (0.95 * millis.length)];
        m.addProperty("slider_moves", millis.length);
        m.addProperty("slider_median_ms", millis[millis.length / 2]);
        m.addProperty("slider_p95_ms", p95);
        m.addProperty("slider_p95_over_budget", p95 / SLIDER_BUDGET_MS);
        m.addProperty("slider_checksum", sink);
        log.accept(String.format("compression: slider move p95 %.3f ms (budget %.0f ms)", p95, SLIDER_BUDGET_MS));

        // Apply and evaluate: the first plan fills the reference cache, the second is what a change costs.
        EvalSet set = EvalSet.read(evalFile);
        int n = Math.min(items, set.items().size());
        PlanEvaluator evaluator = new PlanEvaluator(model, set, new ReferenceCache());
        EvaluationSettings settings = new EvaluationSettings(n, 8, true, null).heldOutFrom(c.calibration(), evalFile);
        long r0 = System.nanoTime();
        try (LoadedModel compressed = c.apply(first.plan(), Progress.NONE)) {
            evaluator.evaluate(compressed, settings, r -> { }, Progress.NONE);
        }
        double firstPlan = (System.nanoTime() - r0) / 1e9;
        Compressor.Allocated second = c.allocate(c.emptyPlan(), LowRankMethod.SVD_LLM, Allocation.UNIFORM, 0.3,
                c.decoderScope(c.emptyPlan()), Progress.NONE);
        long a0 = System.nanoTime();
        EvaluationResult result;
        try (LoadedModel compressed = c.apply(second.plan(), Progress.NONE)) {
            double applied = (System.nanoTime() - a0) / 1e9;
            result = evaluator.evaluate(compressed, settings, r -> { }, Progress.NONE);
            m.addProperty("apply_s", applied);
        }
        double applyEvaluate = (System.nanoTime() - a0) / 1e9;
        m.addProperty("evaluation_items", n);
        m.addProperty("first_plan_with_reference_s", firstPlan);
        m.addProperty("apply_evaluate_s", applyEvaluate);
        m.addProperty("apply_evaluate_over_budget", applyEvaluate / APPLY_EVALUATE_BUDGET_S);
        m.addProperty("candidate_accuracy", result.summary().candidate().overall().accuracy());
        // The reference: the original model answering the same items, timed in this run.
        long o0 = System.nanoTime();
        PlanEvaluator fresh = new PlanEvaluator(model, set, new ReferenceCache());
        fresh.evaluate(model, settings, r -> { }, Progress.NONE);
        double originalTwice = (System.nanoTime() - o0) / 1e9;
        m.addProperty("original_answers_s", originalTwice / 2);
        m.addProperty("apply_evaluate_over_original", applyEvaluate / (originalTwice / 2));
        log.accept(String.format("compression: apply + evaluate %d items %.2f s (budget %.0f s; the original answering "
                + "them: %.2f s)", n, applyEvaluate, APPLY_EVALUATE_BUDGET_S, originalTwice / 2));
        return m;
    }

    /** Fraction of Σσ² in the first {@code k} values. */
    public static String table(JsonObject r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-24s %12s %12s %14s %14s %12s%n", "compression", "slider p95", "÷ 16 ms",
                "apply+eval", "÷ 5 s", "original"));
        List<String> rows = new ArrayList<>();
        for (var e : r.getAsJsonArray("models")) {
            JsonObject m = e.getAsJsonObject();
            rows.add(String.format("%-24s %9.3f ms %12.3f %10.2f s %14.2f %10.2f s", Path.of(m.get("model").getAsString())
                    .getFileName() + " (" + m.get("evaluation_items").getAsInt() + ")", m.get("slider_p95_ms").getAsDouble(),
                    m.get("slider_p95_over_budget").getAsDouble(), m.get("apply_evaluate_s").getAsDouble(),
                    m.get("apply_evaluate_over_budget").getAsDouble(), m.get("original_answers_s").getAsDouble()));
        }
        rows.forEach(x -> b.append(x).append('\n'));
        return b.toString();
    }
}
