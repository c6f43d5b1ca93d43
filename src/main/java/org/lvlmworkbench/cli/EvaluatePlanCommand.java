package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.compress.Compressor;
import org.lvlmworkbench.core.compress.evaluate.EvaluationResult;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSettings;
import org.lvlmworkbench.core.compress.evaluate.PlanEvaluator;
import org.lvlmworkbench.core.compress.evaluate.ReferenceCache;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.export.WeightsWriter;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "evaluate", description = "Applies a compression plan beside the original model and compares them on an "
        + "evaluation set: accuracy, agreement, KL of the first answer token, parameters, FLOPs, latency.")
final class EvaluatePlanCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--plan", required = true, paramLabel = "FILE", description = "the plan (JSON) made by 'plan' or the app")
    Path planFile;

    @Option(names = {"-d", "--data"}, paramLabel = "FILE",
            description = "JSONL with image, prompt, answer, type (default: samples/shapes-eval-N/eval.jsonl for N-pixel models, else samples/shapes-eval/eval.jsonl)")
    Path data;

    @Option(names = "--items", defaultValue = "100", description = "evaluation items, from the start (${DEFAULT-VALUE})")
    int items;

    @Option(names = "--max-new-tokens", defaultValue = "8")
    int maxNewTokens;

    @Option(names = "--json", paramLabel = "FILE", description = "also write the summary as JSON")
    Path json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CompressionPlan plan = CompressionPlan.read(planFile);
        Path evalFile = data != null ? data : ShapesEvalSet.defaultFileFor(model.folder());
        EvalSet set = EvalSet.read(evalFile);
        try (LoadedModel m = ModelLoader.load(model.folder())) {
            // The plan's calibration set rebuilds the same factorisations (its fingerprint is checked).
            Path calibrationFile = plan.calibration() != null ? Path.of(plan.calibration().source()) : evalFile;
            int calibrationItems = plan.calibration() != null ? plan.calibration().items() : 16;
            Compressor c = new Compressor(m, ProbeSet.fromEvalFile(calibrationFile, calibrationItems).items(),
                    calibrationFile.toString());
            if (plan.calibration() != null && !plan.ranks().isEmpty()
                    && !plan.calibration().fingerprint().equals(c.calibration().fingerprint())) {
                throw new IllegalArgumentException(planFile + ": field 'calibration': the plan was calibrated on items "
                        + "with fingerprint " + plan.calibration().fingerprint() + " but " + calibrationFile + " now gives "
                        + c.calibration().fingerprint() + " (the factorisations would differ)");
            }
            long t0 = System.nanoTime();
            try (LoadedModel compressed = c.apply(plan, CliProgress.to(spec.commandLine().getErr()))) {
                double applied = (System.nanoTime() - t0) / 1e9;
                PlanEvaluator evaluator = new PlanEvaluator(m, set, new ReferenceCache());
                EvaluationSettings settings = new EvaluationSettings(Math.min(items, set.items().size()), maxNewTokens, true,
                        plan.ranks().isEmpty() ? null : c.predictedLoss(plan)).heldOutFrom(c.calibration(), evalFile);
                EvaluationResult result = evaluator.evaluate(compressed, settings, r -> { }, CliProgress.to(
                        spec.commandLine().getErr()));
                out.print(result.summary().table());
                out.printf("applied in %.1f s, evaluated %d items in %.1f s%n", applied, result.summary().items(),
                        (System.nanoTime() - t0) / 1e9 - applied);
                if (json != null) {
                    WeightsWriter.writeStringAtomically(json, result.summary().toJson() + "\n");
                }
            }
        }
        return 0;
    }
}
