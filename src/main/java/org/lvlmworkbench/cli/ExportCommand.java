package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.compress.Compressor;
import org.lvlmworkbench.core.compress.ReportRequest;
import org.lvlmworkbench.core.compress.export.ExportOptions;
import org.lvlmworkbench.core.compress.report.CompressionReport;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.compress.export.ModelExporter;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.PlanException;
import org.lvlmworkbench.core.export.DiskSpace;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "export", description = "Writes a model compressed by a plan as a Hugging Face folder: config, safetensors "
        + "weights, tokenizer and processor files, the plan; low-rank factors, dropped sub-layers and token pruning "
        + "with a small modeling file (trust_remote_code=True), whole-layer drops and merges (or --dense) as a plain "
        + "checkpoint.")
final class ExportCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = "--plan", required = true, paramLabel = "FILE", description = "the plan (JSON) made by 'plan' or the app")
    Path planFile;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the folder to write (must not exist "
            + "unless --force)")
    Path out;

    @Option(names = "--dtype", defaultValue = "bf16", description = "bf16, f16 or f32 (${DEFAULT-VALUE})")
    String dtype;

    @Option(names = "--dense", description = "multiply low-rank factors back into full matrices (standard layers, "
            + "no size saving)")
    boolean dense;

    @Option(names = "--force", description = "replace an existing export at --out, once the new one is complete")
    boolean force;

    @Option(names = "--calibration", paramLabel = "FILE", description = "the plan's calibration set where it lives on "
            + "this machine (default: the path in the plan; its fingerprint must match)")
    Path calibration;

    @Option(names = "--no-report", description = "write no report.html (and no report/ charts)")
    boolean noReport;

    @Option(names = {"-d", "--data"}, paramLabel = "FILE", description = "the report's evaluation items: JSONL with "
            + "image, prompt, answer, type (default: samples/shapes-eval-N/eval.jsonl for N-pixel models, else samples/shapes-eval/eval.jsonl)")
    Path data;

    @Option(names = "--report-items", defaultValue = "32", paramLabel = "N", description = "items the report evaluates "
            + "original and compressed on; 0 for none (${DEFAULT-VALUE})")
    int reportItems;

    @Option(names = "--shard-gb", defaultValue = "2", paramLabel = "GB",
            description = "weights above this size are split into shards with an index (${DEFAULT-VALUE})")
    double shardGb;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ExportOptions options = new ExportOptions(ExportOptions.parseDtype(dtype), dense, force,
                (long) (shardGb * 1e9));
        CompressionPlan plan = CompressionPlan.read(planFile);
        try (LoadedModel m = ModelLoader.load(model.folder())) {
            Compressor c = compressor(m, plan);
            ModelExporter.Estimate estimate = ModelExporter.estimate(m, plan, options);
            err.printf("exporting %s (%s, %s) to %s: about %s%n", planFile, options.torchDtype(),
                    estimate.kind() == ModelExporter.Kind.PLAIN ? "plain checkpoint" : "factored, with modeling code",
                    out, DiskSpace.gb(estimate.totalBytes()));
            ModelExporter.Result r;
            if (noReport) {
                r = cancellable(err, progress -> c.export(plan, out, options, progress));
            } else {
                EvalSet set = reportItems > 0 ? EvalSet.read(data != null ? data : ShapesEvalSet.defaultFileFor(model.folder())) : null;
                r = cancellable(err, progress -> c.export(plan, out, options, ReportRequest.evaluating(set, reportItems),
                        progress));
            }
            o.printf("wrote %s: %d files, %s, %,d parameters%n", r.folder(), r.files().size(), DiskSpace.gb(r.bytes()),
                    r.parameters());
            if (!noReport) {
                o.printf("report: %s%n", r.folder().resolve(CompressionReport.HTML_FILE));
            }
            if (r.kind() == ModelExporter.Kind.PLAIN) {
                o.printf("load it with LlavaForConditionalGeneration.from_pretrained(\"%s\")%n", r.folder());
            } else {
                o.printf("load it with AutoModelForImageTextToText.from_pretrained(\"%s\", trust_remote_code=True)"
                        + " (transformers 5)%n", r.folder());
            }
        } catch (PlanException e) {
            throw new IllegalArgumentException(planFile + ": " + e.getMessage(), e);
        }
        return 0;
    }

    /** The workspace whose factorisations the plan's ranks were chosen with: same calibration items, checked. */
    private Compressor compressor(LoadedModel m, CompressionPlan plan) {
        Path file = calibration != null ? calibration
                : plan.calibration() != null ? Path.of(plan.calibration().source()) : ShapesEvalSet.defaultFileFor(model.folder());
        int items = plan.calibration() != null ? plan.calibration().items() : 16;
        if (!plan.ranks().isEmpty() && !Files.isRegularFile(file)) {
            throw new IllegalArgumentException(planFile + ": field 'calibration.source': " + file + " does not exist here; "
                    + "pass --calibration with the same calibration file on this machine");
        }
        if (plan.ranks().isEmpty() && !Files.isRegularFile(file)) {
            file = ShapesEvalSet.defaultFileFor(model.folder()); // nothing is factorised: any items will do
        }
        Compressor c = new Compressor(m, ProbeSet.fromEvalFile(file, items).items(), file.toString());
        if (plan.calibration() != null && !plan.ranks().isEmpty()
                && !plan.calibration().fingerprint().equals(c.calibration().fingerprint())) {
            throw new IllegalArgumentException(planFile + ": field 'calibration': the plan was calibrated on items with "
                    + "fingerprint " + plan.calibration().fingerprint() + " but " + file + " now gives "
                    + c.calibration().fingerprint() + " (the factorisations would differ)");
        }
        return c;
    }

    /**
     * Runs the export with Ctrl-C as its cancel: the shutdown hook raises the flag and waits (a few
     * seconds at most) for the export to remove its unfinished folder.
     */
    private static ModelExporter.Result cancellable(PrintWriter err, java.util.function.Function<Progress,
            ModelExporter.Result> export) {
        AtomicBoolean cancelled = new AtomicBoolean();
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            cancelled.set(true);
            try {
                finished.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "export-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        Progress terminal = CliProgress.to(err);
        try {
            return export.apply(Progress.of(cancelled::get, terminal::update));
        } finally {
            finished.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it returns now that the export has finished.
            }
        }
    }
}
