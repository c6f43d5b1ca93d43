package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.lvlmworkbench.core.bench.Bench;
import org.lvlmworkbench.core.bench.BenchReport;
import org.lvlmworkbench.core.bench.BenchSettings;
import org.lvlmworkbench.core.bench.PythonSide;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.sample.RandomPreset;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", description = "Measure this project against HF transformers on the same machine and the "
        + "same random checkpoints: load time, prefill and decode rates, peak memory, the machine's GEMM and mat-vec "
        + "roofline, and the performance targets (PASS/FAIL).")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--quick", description = "a few minutes: one run, a 64-token text prompt, 8 new tokens, eager "
            + "attention only")
    boolean quick;

    @Option(names = "--analysis", description = "instead: time each analysis on the shipped samples (nothing "
            + "cached) and the singular values of a 4096×11008 matrix against torch.linalg.svdvals")
    boolean analysis;

    @Option(names = "--compression", description = "instead: time a rank slider's move and applying + evaluating a plan "
            + "on the shipped samples, as ratios to their budgets (16 ms, 5 s)")
    boolean compression;

    @Option(names = "--compression-sweep", paramLabel = "DIR", description = "instead: every compression method of the "
            + "field on this model folder (default: the deeper sample when present), applied and evaluated; writes "
            + "JSON and a Markdown table")
    Path sweepModel;

    @Option(names = "--sweep", description = "run --compression-sweep on its default model")
    boolean sweep;

    @Option(names = "--compression-items", defaultValue = "100", description = "evaluation items with --compression "
            + "(${DEFAULT-VALUE})")
    int compressionItems;

    @Option(names = "--analysis-items", defaultValue = "24", description = "probe items per analysis with --analysis "
            + "(${DEFAULT-VALUE})")
    int analysisItems;

    @Option(names = "--svd", defaultValue = "4096x11008", description = "the matrix shape timed with --analysis "
            + "(${DEFAULT-VALUE})")
    String svd;

    @Option(names = "--shape", defaultValue = "tinyllama-1.1b", description = "tiny, tinyllama-1.1b (default) or llava-7b")
    String shape;

    @Option(names = "--dtypes", defaultValue = "f32,bf16", split = ",", description = "storage types, each its own "
            + "checkpoint (default: f32,bf16)")
    List<String> dtypes;

    @Option(names = "--runs", description = "processes per configuration; medians are reported (default 3, quick 1)")
    Integer runs;

    @Option(names = "--prompt-tokens", description = "a text prompt of this many tokens instead of the image prompt "
            + "(576 image tokens and a question); quick: 64")
    Integer promptTokens;

    @Option(names = "--new-tokens", description = "tokens generated, end-of-sequence ignored (default 32, quick 8)")
    Integer newTokens;

    @Option(names = "--attn", split = ",", description = "transformers attention implementations (default eager,sdpa; "
            + "quick: eager); eager is the reference of the targets")
    List<String> attn;

    @Option(names = "--work", defaultValue = "target/bench", paramLabel = "DIR", description = "checkpoints, inputs "
            + "and logs (checkpoints are reused) (default: ${DEFAULT-VALUE})")
    Path work;

    @Option(names = "--json", paramLabel = "FILE", description = "where the JSON report goes (default: WORK/bench.json)")
    Path json;

    @Option(names = "--python", paramLabel = "PATH", description = "Python with torch and transformers (default: $"
            + PythonSide.ENV + ", else python3); without them the transformers side is reported as skipped")
    String python;

    @Option(names = "--threads", description = "torch threads on the transformers side (default: the cores)")
    Integer threads;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--roofline-mb", defaultValue = "768", hidden = true)
    int rooflineMb;

    @Option(names = "--timeout", defaultValue = "3600", hidden = true, description = "seconds one child may take")
    long timeout;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (analysis) {
            return analysisBench();
        }
        if (sweep || sweepModel != null) {
            Path deep = org.lvlmworkbench.core.sample.SampleModel.deepModel();
            Path folder = sweepModel != null ? sweepModel
                    : java.nio.file.Files.isDirectory(deep) ? deep : org.lvlmworkbench.core.sample.SampleModel.defaultModel();
            Path evalFile = org.lvlmworkbench.core.sample.ShapesEvalSet.defaultFileFor(folder);
            PrintWriter log = spec.commandLine().getErr();
            com.google.gson.JsonObject r = org.lvlmworkbench.core.bench.CompressionSweep.run(folder, evalFile,
                    compressionItems, 16, log::println);
            Path file = json != null ? json : work.resolve("compression-sweep.json");
            org.lvlmworkbench.core.bench.AnalysisBench.write(r, file);
            String md = org.lvlmworkbench.core.bench.CompressionSweep.markdown(r);
            org.lvlmworkbench.core.export.WeightsWriter.writeStringAtomically(file.resolveSibling("compression-sweep.md"), md);
            spec.commandLine().getOut().print(md);
            spec.commandLine().getOut().println("wrote " + file);
            return 0;
        }
        if (compression) {
            PrintWriter log = spec.commandLine().getErr();
            com.google.gson.JsonObject r = org.lvlmworkbench.core.bench.CompressionBench.run(
                    org.lvlmworkbench.core.bench.AnalysisBench.shippedSamples(), compressionItems, log::println);
            Path file = json != null ? json : work.resolve("bench-compression.json");
            org.lvlmworkbench.core.bench.AnalysisBench.write(r, file);
            spec.commandLine().getOut().print(org.lvlmworkbench.core.bench.CompressionBench.table(r));
            spec.commandLine().getOut().println("wrote " + file);
            return 0;
        }
        List<DType> types = new ArrayList<>();
        for (String d : dtypes) {
            types.add(switch (d.strip().toLowerCase(Locale.ROOT)) {
                case "f32", "float32" -> DType.F32;
                case "bf16", "bfloat16" -> DType.BF16;
                default -> throw new IllegalArgumentException("--dtypes takes f32 and bf16, not '" + d + "'");
            });
        }
        BenchSettings settings = new BenchSettings(RandomPreset.byOption(shape), types,
                runs != null ? runs : quick ? 1 : 3,
                promptTokens != null ? promptTokens : quick ? 64 : 0,
                newTokens != null ? newTokens : quick ? 8 : 32,
                work, json != null ? json : work.resolve("bench.json"),
                PythonSide.choosePython(python, System.getenv(PythonSide.ENV)),
                attn != null ? attn : quick ? List.of("eager") : List.of("eager", "sdpa"), quick, rooflineMb, seed,
                threads != null ? threads : Runtime.getRuntime().availableProcessors(), timeout);
        PrintWriter err = spec.commandLine().getErr();
        BenchReport report = Bench.run(settings, line -> {
            err.println(line);
            err.flush();
        });
        PrintWriter out = spec.commandLine().getOut();
        out.println();
        out.print(report.table());
        out.println("json: " + settings.json().toAbsolutePath().normalize());
        out.flush();
        return 0;
    }

    private int analysisBench() {
        String[] shape = svd.toLowerCase(Locale.ROOT).split("x");
        if (shape.length != 2) {
            throw new IllegalArgumentException("--svd takes ROWSxCOLS, e.g. 4096x11008, not '" + svd + "'");
        }
        PrintWriter err = spec.commandLine().getErr();
        com.google.gson.JsonObject r = org.lvlmworkbench.core.bench.AnalysisBench.run(
                org.lvlmworkbench.core.bench.AnalysisBench.shippedSamples(),
                analysisItems, PythonSide.choosePython(python, System.getenv(PythonSide.ENV)), work,
                Integer.parseInt(shape[0].strip()), Integer.parseInt(shape[1].strip()), timeout, line -> {
                    err.println(line);
                    err.flush();
                });
        Path file = json != null ? json : work.resolve("analysis-bench.json");
        org.lvlmworkbench.core.bench.AnalysisBench.write(r, file);
        PrintWriter out = spec.commandLine().getOut();
        out.println();
        out.print(org.lvlmworkbench.core.bench.AnalysisBench.table(r));
        out.println("json: " + file.toAbsolutePath().normalize());
        out.flush();
        return 0;
    }
}
