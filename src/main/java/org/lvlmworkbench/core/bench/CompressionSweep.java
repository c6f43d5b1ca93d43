package org.lvlmworkbench.core.bench;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.compress.Compressor;
import org.lvlmworkbench.core.compress.depth.LayerDrops;
import org.lvlmworkbench.core.compress.depth.SlidingWindowMerge;
import org.lvlmworkbench.core.compress.evaluate.EvaluationResult;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSettings;
import org.lvlmworkbench.core.compress.evaluate.PlanEvaluator;
import org.lvlmworkbench.core.compress.evaluate.ReferenceCache;
import org.lvlmworkbench.core.compress.lowrank.Allocation;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/**
 * {@code bench --compression-sweep}: the field's methods side by side on one model, each plan applied
 * and evaluated on the same items against the original: every low-rank method at 20/40/60 % of the
 * decoder's linear-map parameters removed (uniform allocation; SoCo by its learned selection, trained with
 * its default settings), SLM merging against ShortGPT dropping the same number of layers at two depths,
 * and FastV, adaptive and diversity pruning of 50 and 75 % of the image tokens (adaptive's attention mass
 * fitted on the calibration items to remove that share on average). One row per plan:
 * accuracy, agreement, parameters, prefill FLOPs.
 */
public final class CompressionSweep {

    private CompressionSweep() {
    }

    public static JsonObject run(Path folder, Path evalFile, int items, int calibrationItems, Consumer<String> log) {
        JsonObject out = new JsonObject();
        out.addProperty("model", folder.toString());
        JsonArray rows = new JsonArray();
        try (LoadedModel model = ModelLoader.load(folder)) {
            Compressor c = new Compressor(model, ProbeSet.fromEvalFile(evalFile, calibrationItems).items(), evalFile.toString());
            EvalSet set = EvalSet.read(evalFile);
            PlanEvaluator evaluator = new PlanEvaluator(model, set, new ReferenceCache());
            // Scored past the calibration items: whitening and SoCo's training saw those.
            EvaluationSettings settings = new EvaluationSettings(Math.min(items, set.items().size()), 8, true, null)
                    .heldOutFrom(c.calibration(), evalFile);
            out.addProperty("calibration", "items 1–" + c.calibration().items() + " of " + evalFile);
            CompressionPlan empty = c.emptyPlan();
            JsonObject original = row("original", "—", empty, c, evaluator, settings, log);
            rows.add(original);
            // Every row is evaluated on the same items: the original's range says which.
            out.addProperty("evaluated", original.get("items_range").getAsString() + " of " + evalFile);
            for (LowRankMethod method : LowRankMethod.closedForm()) {
                for (double ratio : new double[] {0.2, 0.4, 0.6}) {
                    CompressionPlan p = c.allocate(empty, method, Allocation.UNIFORM, ratio, c.decoderScope(empty),
                            Progress.NONE).plan();
                    rows.add(row("low rank " + method.jsonName(), String.format("%.0f %% removed", 100 * ratio), p, c,
                            evaluator, settings, log));
                }
            }
            for (double ratio : new double[] {0.2, 0.4, 0.6}) {
                // SoCo trains its scores on the calibration items (default settings), then is evaluated like the rest.
                CompressionPlan p = c.soco(empty, ratio, c.decoderScope(empty),
                        org.lvlmworkbench.core.compress.lowrank.SocoSettings.DEFAULTS, Progress.NONE).plan();
                rows.add(row("low rank soco", String.format("%.0f %% removed", 100 * ratio), p, c, evaluator, settings, log));
            }
            int layers = model.model().decoder().numLayers();
            var scores = c.depthScores(TokenSelection.ALL, Progress.NONE);
            for (var depth : twoMergeDepths(c, empty, layers)) {
                CompressionPlan merged = depth.plan();
                int removed = depth.removed();
                rows.add(row("SLM merge (RDSC)", String.format("cos > %.2f: %d layers removed", depth.threshold(), removed),
                        merged, c, evaluator, settings, log));
                CompressionPlan copied = c.emptyPlan();
                for (var g : merged.merges()) {
                    copied = copied.withMerge(new org.lvlmworkbench.core.compress.plan.MergeGroup(g.first(), g.last(),
                            MergeFormula.COPY_TOP));
                }
                rows.add(row("same groups, top-layer copy", removed + " layers removed", copied, c, evaluator, settings,
                        log));
                rows.add(row("ShortGPT drop", removed + " layers removed", LayerDrops.shortGpt(empty, scores, removed), c,
                        evaluator, settings, log));
            }
            for (double ratio : new double[] {0.5, 0.75}) {
                String what = String.format("%.0f %% of image tokens", 100 * ratio);
                rows.add(row("FastV K=2", what, empty.withTokenPruning(VisualTokenPruning.fastV(2, ratio)), c, evaluator,
                        settings, log));
                rows.add(row("diversity K=2", what, empty.withTokenPruning(VisualTokenPruning.diversity(2, ratio)), c,
                        evaluator, settings, log));
            }
            for (double ratio : new double[] {0.5, 0.75}) {
                // Adaptive has no ratio: its mass is fitted so that it removes this share on average (calibration items).
                var fit = c.adaptiveMass(2, ratio, 1, Progress.NONE);
                rows.add(row("adaptive K=2", String.format("%.0f %% of image tokens on average (mass %.3f; %.0f–%.0f %% "
                        + "per item)", 100 * fit.removedShare(), fit.mass(), 100 * fit.smallestShare(),
                        100 * fit.largestShare()), empty.withTokenPruning(VisualTokenPruning.adaptive(2, fit.mass(), 1)), c,
                        evaluator, settings, log));
            }
        }
        out.add("rows", rows);
        return out;
    }

    /** An SLM merge plan with the threshold that made it and the layers it removes. */
    private record MergeDepth(double threshold, CompressionPlan plan, int removed) {
    }

    /**
     * SLM's threshold sets how deep it merges, not a layer count, so two thresholds can land on the
     * same depth (on one checkpoint 0.90 and 0.72 both removed 7 layers). To compare merging with
     * dropping at two depths, thresholds are tried in this order (the paper's 0.72 second) and the
     * first two that remove a different, non-zero number of layers are kept.
     */
    private static List<MergeDepth> twoMergeDepths(Compressor c, CompressionPlan empty, int layers) {
        List<MergeDepth> kept = new java.util.ArrayList<>();
        for (double threshold : new double[] {0.9, SlidingWindowMerge.DEFAULT_THRESHOLD, 0.95, 0.85, 0.8, 0.6}) {
            CompressionPlan merged = c.slidingWindowMerge(empty, threshold, TokenSelection.ALL, MergeFormula.RDSC,
                    Progress.NONE).plan();
            int removed = layers - merged.survivingLayers(layers).length;
            if (removed > 0 && kept.stream().noneMatch(d -> d.removed() == removed)) {
                kept.add(new MergeDepth(threshold, merged, removed));
            }
            if (kept.size() == 2) {
                break;
            }
        }
        return kept;
    }

    private static JsonObject row(String method, String setting, CompressionPlan plan, Compressor c, PlanEvaluator evaluator,
            EvaluationSettings settings, Consumer<String> log) {
        long t0 = System.nanoTime();
        EvaluationResult r;
        try (LoadedModel compressed = c.apply(plan, Progress.NONE)) {
            r = evaluator.evaluate(compressed, settings, x -> { }, Progress.NONE);
        }
        var s = r.summary();
        JsonObject o = new JsonObject();
        o.addProperty("method", method);
        o.addProperty("setting", setting);
        o.addProperty("accuracy", s.candidate().overall().accuracy());
        o.addProperty("agreement", s.agreement());
        o.addProperty("mean_kl", s.meanKl());
        o.addProperty("parameters", s.candidate().parameters());
        o.addProperty("reference_parameters", s.reference().parameters());
        o.addProperty("prefill_flops", s.candidate().prefillFlops());
        o.addProperty("reference_prefill_flops", s.reference().prefillFlops());
        o.addProperty("items", s.items());
        o.addProperty("items_range", s.range());
        o.add("plan", plan.toJson());
        log.accept(String.format("sweep: %-28s %-32s accuracy %5.1f %%  agreement %5.1f %%  params %,d  (%.1f s)", method,
                setting, 100 * s.candidate().overall().accuracy(), 100 * s.agreement(), s.candidate().parameters(),
                (System.nanoTime() - t0) / 1e9));
        return o;
    }

    /** The sweep as a Markdown table. */
    public static String markdown(JsonObject r) {
        StringBuilder b = new StringBuilder();
        if (r.has("evaluated")) {
            b.append("Evaluated on ").append(r.get("evaluated").getAsString()).append("; calibrated on ")
                    .append(r.get("calibration").getAsString()).append(".\n\n");
        }
        b.append("| method | setting | accuracy | agreement | parameters | prefill FLOPs |\n|---|---|---|---|---|---|\n");
        for (var e : r.getAsJsonArray("rows")) {
            JsonObject o = e.getAsJsonObject();
            double p = o.get("parameters").getAsDouble() / o.get("reference_parameters").getAsDouble();
            double f = o.get("prefill_flops").getAsDouble() / o.get("reference_prefill_flops").getAsDouble();
            b.append(String.format("| %s | %s | %.1f %% | %.1f %% | %,d (%.0f %%) | %.0f %% |%n", o.get("method").getAsString(),
                    o.get("setting").getAsString(), 100 * o.get("accuracy").getAsDouble(),
                    100 * o.get("agreement").getAsDouble(), o.get("parameters").getAsLong(), 100 * p, 100 * f));
        }
        return b.toString();
    }

    /** The rows as they appear in the table, for tests. */
    public static List<String> methods(JsonObject r) {
        return r.getAsJsonArray("rows").asList().stream().map(e -> e.getAsJsonObject().get("method").getAsString()).toList();
    }
}
