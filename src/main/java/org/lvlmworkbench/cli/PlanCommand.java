package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.compress.Compressor;
import org.lvlmworkbench.core.compress.depth.DepthScores;
import org.lvlmworkbench.core.compress.depth.LayerDrops;
import org.lvlmworkbench.core.compress.depth.SlidingWindowMerge;
import org.lvlmworkbench.core.compress.lowrank.Allocation;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.lowrank.SocoSettings;
import org.lvlmworkbench.core.compress.tokens.AdaptiveMass;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.soco.SocoRun;
import org.lvlmworkbench.core.export.WeightsWriter;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "plan", description = "Makes a compression plan (JSON): depth (SLM merge, ShortGPT and LLM-Drop drops), "
        + "low-rank ranks allocated to a parameter ratio, visual-token pruning. Steps run in that order.")
final class PlanCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--calibration", paramLabel = "FILE",
            description = "evaluation JSONL whose first items calibrate (default: samples/shapes-eval-N/eval.jsonl for N-pixel models, else samples/shapes-eval/eval.jsonl)")
    Path calibration;

    @Option(names = "--calibration-items", defaultValue = "16", description = "calibration items (${DEFAULT-VALUE})")
    int calibrationItems;

    @Option(names = "--ratio", defaultValue = "0", paramLabel = "R",
            description = "fraction of the decoder's linear-map parameters to remove by low-rank factorisation (${DEFAULT-VALUE})")
    double ratio;

    @Option(names = "--method", defaultValue = "svd-llm",
            description = "plain, asvd, svd-llm, svd-llm-v2, dipsvd or soco (learned component scores; trains on the "
                    + "calibration items, --allocate does not apply) (${DEFAULT-VALUE})")
    String method;

    @Option(names = "--soco-steps", paramLabel = "N", description = "SoCo: training steps (default: SocoSettings.DEFAULTS)")
    Integer socoSteps;

    @Option(names = "--soco-lr", paramLabel = "LR", description = "SoCo: learning rate of the scores")
    Double socoLearningRate;

    @Option(names = "--allocate", defaultValue = "uniform",
            description = "rank allocation: uniform, energy, loss, erank or dip (${DEFAULT-VALUE})")
    String allocate;

    @Option(names = "--merge", description = "layer merging: slm (sliding-window merge from the top)")
    String merge;

    @Option(names = "--threshold", defaultValue = "0.72", description = "SLM's cosine threshold (${DEFAULT-VALUE})")
    double threshold;

    @Option(names = "--merge-formula", defaultValue = "rdsc",
            description = "rdsc (the paper's formula) or copy-top (what the published code computes) (${DEFAULT-VALUE})")
    String mergeFormula;

    @Option(names = "--drop", defaultValue = "0", paramLabel = "N", description = "ShortGPT: drop the N blocks of lowest Block Influence")
    int drop;

    @Option(names = "--drop-attention", defaultValue = "0", paramLabel = "N",
            description = "LLM-Drop: drop the N least important attention sub-layers")
    int dropAttention;

    @Option(names = "--drop-mlp", defaultValue = "0", paramLabel = "N",
            description = "LLM-Drop: drop the N least important MLP sub-layers")
    int dropMlp;

    @Option(names = "--tokens", defaultValue = "all",
            description = "positions the depth scores and SLM compare: all, image or text (${DEFAULT-VALUE})")
    String tokens;

    @Option(names = "--prune", paramLabel = "SPEC", description = "visual-token pruning: fastv:K:R, adaptive:K:MASS[:MIN], "
            + "adaptive:K:share=R[:MIN] (the mass fitted to remove R of the image tokens on average over the calibration "
            + "items), diversity:K:R or schedule:K1=KEEP1,K2=KEEP2 (layers of the original decoder)")
    String prune;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "where to write the plan (JSON)")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        Path data = calibration != null ? calibration : ShapesEvalSet.defaultFileFor(model.folder());
        TokenSelection selection = TokenSelection.valueOf(tokens.toUpperCase(java.util.Locale.ROOT));
        Progress progress = CliProgress.to(spec.commandLine().getErr());
        try (LoadedModel m = ModelLoader.load(model.folder())) {
            Compressor c = new Compressor(m, ProbeSet.fromEvalFile(data, calibrationItems).items(), data.toString());
            CompressionPlan plan = c.emptyPlan();
            if (merge != null) {
                if (!merge.equals("slm")) {
                    throw new IllegalArgumentException("--merge: only 'slm' is known, got '" + merge + "'");
                }
                SlidingWindowMerge.Result r = c.slidingWindowMerge(plan, threshold, selection, MergeFormula.parse(mergeFormula),
                        progress);
                plan = r.plan();
                for (SlidingWindowMerge.Step s : r.steps()) {
                    o.printf("SLM  layers %2d..%-2d  cosine %s  %s%n", s.low(), s.high(),
                            Double.isNaN(s.similarity()) ? "   —  " : String.format("%.4f", s.similarity()),
                            s.accepted() ? "extend" : "stop");
                }
            }
            if (drop > 0 || dropAttention > 0 || dropMlp > 0) {
                DepthScores scores = c.depthScores(selection, progress);
                plan = LayerDrops.shortGpt(plan, scores, drop);
                plan = LayerDrops.dropAttention(plan, scores, dropAttention);
                plan = LayerDrops.dropMlp(plan, scores, dropMlp);
            }
            if (ratio > 0 && LowRankMethod.fromJson(method) == LowRankMethod.SOCO) {
                SocoSettings settings = SocoSettings.DEFAULTS;
                if (socoSteps != null) {
                    settings = settings.withSteps(socoSteps);
                }
                if (socoLearningRate != null) {
                    settings = settings.withLearningRate(socoLearningRate);
                }
                Compressor.SocoPlan s = c.soco(plan, ratio, c.decoderScope(plan), settings, progress);
                plan = s.plan();
                SocoRun r = s.run();
                o.printf("low rank: soco, learned selection: %,d of %,d decoder linear-map parameters kept (budget %,d)%n",
                        r.keptParameters(), r.totalParameters(), r.budget());
                o.printf("SoCo: %d steps, %.3f s a step; calibration deviation (mean KL to the unscored model) %.4g, "
                        + "SVD-LLM in sigma order at the same ranks %.4g; %d components kept out of sigma order%n",
                        r.history().size(), r.secondsPerStep(), r.deviation(), r.sigmaOrderDeviation(), r.reordered());
                o.printf("predicted calibration output error: %.4g (mean relative %.4f)%n", c.predictedLoss(plan),
                        c.predictedRelativeLoss(plan));
            } else if (ratio > 0) {
                Compressor.Allocated a = c.allocate(plan, LowRankMethod.fromJson(method), Allocation.fromJson(allocate), ratio,
                        c.decoderScope(plan), progress);
                plan = a.plan();
                o.printf("low rank: %s, %s allocation: %,d of %,d decoder linear-map parameters kept (budget %,d)%n", method,
                        allocate, a.allocation().keptParameters(), a.allocation().totalParameters(), a.allocation().budget());
                o.printf("predicted calibration output error: %.4g (mean relative %.4f)%n", c.predictedLoss(plan),
                        c.predictedRelativeLoss(plan));
            }
            if (prune != null) {
                plan = plan.withTokenPruning(PruningSpec.parse(prune, (layer, share, minKeep) -> {
                    AdaptiveMass.Fit fit = c.adaptiveMass(layer, share, minKeep, progress);
                    o.printf("adaptive pruning before layer %d: attention mass %.4f removes %.1f %% of the image tokens on "
                            + "average over %d calibration items (%.1f–%.1f %% per item)%n", layer, fit.mass(),
                            100 * fit.removedShare(), fit.items(), 100 * fit.smallestShare(), 100 * fit.largestShare());
                    return fit;
                }));
            }
            plan.validate(c.shape());
            WeightsWriter.writeStringAtomically(out, plan.toJsonString() + "\n");
            o.printf("merges %s, dropped blocks %s, dropped attention %s, dropped MLP %s, %d ranked matrices, pruning: %s%n",
                    plan.merges(), plan.droppedLayers(), plan.droppedAttention(), plan.droppedMlp(), plan.ranks().size(),
                    plan.tokenPruning().isNone() ? "none" : plan.tokenPruning().describe());
            o.println("wrote " + out);
        }
        return 0;
    }
}
