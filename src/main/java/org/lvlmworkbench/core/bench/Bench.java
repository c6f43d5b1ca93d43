package org.lvlmworkbench.core.bench;

import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.lvlmworkbench.core.export.WeightsWriter;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.sample.RandomCheckpoints;
import org.lvlmworkbench.core.sample.ShapesWorld;

/**
 * {@code lvlm bench}: this project against HF transformers on the same machine, in the same run,
 * on the same random checkpoints and the identical prompt.
 *
 * <ol>
 * <li>Writes (or reuses, in the work folder) the shape's checkpoint once per storage type, with the
 *     same weights (the BF16 copy is the F32 one rounded).</li>
 * <li>Measures the machine: GEMM and mat-vec rates through DJL and through torch.</li>
 * <li>Per storage type and run: one fresh JVM of {@link BenchWorker} (the first one encodes the prompt
 *     with the model's processor and saves ids and pixels for every later run), then one Python process
 *     per transformers attention implementation on those same inputs; runs alternate, so drift in the
 *     machine's load hits both sides alike.</li>
 * <li>Reports medians, ratios and the targets ({@link BenchReport}), and writes the JSON.</li>
 * </ol>
 */
public final class Bench {

    private static final Pattern OWN_FILES = Pattern.compile(
            "model.*\\.safetensors(\\.index\\.json)?(\\.partial)?|.*\\.json(\\.partial)?");

    private Bench() {
    }

    public static BenchReport run(BenchSettings s, Consumer<String> log) {
        long start = System.nanoTime();
        mkdirs(s.work());
        JsonObject machine = machine();
        machine.addProperty("load_average_start", ProcStatus.loadAverage());
        log.accept(String.format(Locale.ROOT, "bench: %s, %s, %d new tokens, dtypes %s, %d run%s; work %s",
                s.shape().option(), s.promptDescription(), s.newTokens(), s.dtypes(), s.runs(), s.runs() == 1 ? "" : "s",
                s.work()));

        PythonSide python = PythonSide.probe(s.python(), s.work(), Math.min(s.timeoutSeconds(), 300));
        log.accept("transformers side: " + (python.available() ? python.versions() + " (" + s.python() + ")"
                : "skipped: " + python.skipped()));

        Map<DType, Path> folders = new LinkedHashMap<>();
        for (DType d : s.dtypes()) {
            folders.put(d, checkpoint(s, d, log));
        }

        Path image = null;
        if (s.promptTokens() == 0) {
            image = s.work().resolve("bench-image.png");
            new ShapesWorld(48, 1).example(ShapesWorld.Split.EVALUATION, 0).image().writePng(image);
        }
        Path inputs = s.work().resolve(s.shape().option() + "-inputs-"
                + (s.promptTokens() == 0 ? "image" : "text" + s.promptTokens()) + ".safetensors");
        try {
            // Made afresh by the first run of this bench, so a stale prompt is never measured.
            Files.deleteIfExists(inputs);
        } catch (IOException e) {
            throw new UncheckedIOException(inputs + ": cannot remove the old inputs: " + e.getMessage(), e);
        }

        log.accept("roofline through DJL …");
        RunResult djlRoof = ChildProcess.run(ChildProcess.javaCommand(BenchWorker.class.getName(),
                List.of("roofline", "--matvec-mb", String.valueOf(s.rooflineMb()))), s.work().resolve("logs/java-roofline"),
                s.timeoutSeconds());
        log.accept("  " + describeRoof(djlRoof));
        RunResult torchRoof = null;
        if (python.available()) {
            log.accept("roofline through torch …");
            torchRoof = ChildProcess.run(python.command("roofline", List.of("--threads", String.valueOf(s.threads()),
                    "--matvec-mb", String.valueOf(s.rooflineMb()))), s.work().resolve("logs/python-roofline"),
                    s.timeoutSeconds());
            log.accept("  " + describeRoof(torchRoof));
        }

        List<BenchReport.DtypeRuns> models = new ArrayList<>();
        for (DType d : s.dtypes()) {
            Path folder = folders.get(d);
            List<RunResult> java = new ArrayList<>();
            Map<String, List<RunResult>> hf = new LinkedHashMap<>();
            if (python.available()) {
                s.attentions().forEach(a -> hf.put(a, new ArrayList<>()));
            }
            String tag = s.shape().option() + "-" + d.name().toLowerCase(Locale.ROOT);
            for (int r = 1; r <= s.runs(); r++) {
                List<String> args = new ArrayList<>(List.of("run", "--model", folder.toString(), "--inputs",
                        inputs.toString(), "--new-tokens", String.valueOf(s.newTokens())));
                if (image != null) {
                    args.addAll(List.of("--image", image.toString()));
                } else {
                    args.addAll(List.of("--prompt-tokens", String.valueOf(s.promptTokens())));
                }
                RunResult jr = ChildProcess.run(ChildProcess.javaCommand(BenchWorker.class.getName(), args),
                        s.work().resolve("logs/java-" + tag + "-" + r), s.timeoutSeconds());
                java.add(jr);
                log.accept(String.format(Locale.ROOT, "this project  %s run %d/%d: %s", d, r, s.runs(), describe(jr)));
                for (Map.Entry<String, List<RunResult>> e : hf.entrySet()) {
                    RunResult pr;
                    if (!Files.isRegularFile(inputs)) {
                        pr = RunResult.failed("no inputs to run: this project's run, which writes them, failed");
                    } else {
                        pr = ChildProcess.run(python.command("run", List.of("--model", folder.toString(), "--inputs",
                                inputs.toString(), "--dtype", BenchSettings.torchName(d), "--attn", e.getKey(),
                                "--new-tokens", String.valueOf(s.newTokens()), "--threads", String.valueOf(s.threads()))),
                                s.work().resolve("logs/python-" + tag + "-" + e.getKey() + "-" + r), s.timeoutSeconds());
                    }
                    e.getValue().add(pr);
                    log.accept(String.format(Locale.ROOT, "transformers %s %s run %d/%d: %s", d, e.getKey(), r,
                            s.runs(), describe(pr)));
                }
            }
            models.add(new BenchReport.DtypeRuns(d, folder, weightBytes(folder), java, hf));
        }
        machine.addProperty("load_average_end", ProcStatus.loadAverage());
        ModelCost cost = new ModelCost(s.shape().spec(), s.shape().vocabSize());
        BenchReport report = new BenchReport(s, cost, s.shape().parameterCount(), machine, python,
                new BenchReport.Roofline(djlRoof, torchRoof), models, (System.nanoTime() - start) / 1e9);
        mkdirs(s.json().toAbsolutePath().getParent());
        WeightsWriter.writeStringAtomically(s.json(), report.toJsonText());
        return report;
    }

    /** The checkpoint folder of one storage type: reused when a previous bench wrote it with the same settings. */
    static Path checkpoint(BenchSettings s, DType d, Consumer<String> log) {
        String tag = s.shape().option() + "-" + d.name().toLowerCase(Locale.ROOT);
        Path folder = s.work().resolve(tag);
        Path marker = s.work().resolve(tag + ".done");
        String expected = "shape=" + s.shape().option() + " dtype=" + d + " seed=" + s.seed() + " layout=legacy writer=1";
        try {
            if (Files.isRegularFile(marker) && Files.readString(marker).strip().equals(expected)
                    && Checkpoint.existsIn(folder)) {
                log.accept("checkpoint " + folder + ": reused");
                return folder;
            }
            Files.deleteIfExists(marker);
            if (Files.isDirectory(folder)) {
                try (Stream<Path> files = Files.list(folder)) {
                    for (Path p : files.toList()) {
                        if (Files.isRegularFile(p) && OWN_FILES.matcher(p.getFileName().toString()).matches()) {
                            Files.delete(p);
                        }
                    }
                }
            }
            log.accept("checkpoint " + folder + ": writing " + s.shape().option() + " in " + d + " …");
            RandomCheckpoints.Written w = RandomCheckpoints.write(folder,
                    new RandomCheckpoints.Options(s.shape(), null, d, 0, s.seed()), log);
            log.accept(String.format(Locale.ROOT, "checkpoint %s: %.2f GB written in %.1f s", folder, w.bytes() / 1e9,
                    w.seconds()));
            Files.writeString(marker, expected + "\n");
            return folder;
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": " + e.getMessage(), e);
        }
    }

    static long weightBytes(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    static JsonObject machine() {
        JsonObject m = new JsonObject();
        m.addProperty("cores", Runtime.getRuntime().availableProcessors());
        m.addProperty("memory_bytes", ProcStatus.meminfo("MemTotal"));
        m.addProperty("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        m.addProperty("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        m.addProperty("started", Instant.now().toString());
        return m;
    }

    static String describe(RunResult r) {
        if (!r.ok()) {
            return "FAILED: " + r.error();
        }
        return String.format(Locale.ROOT, "load %.2f s, prefill %.2f s (%d tokens, %.1f tok/s), decode %.2f tok/s, "
                + "peak RSS %.2f GiB", r.number("load_s"), r.number("prefill_s"), Math.round(r.number("prompt_tokens")),
                r.prefillTokensPerSecond(), r.decodeTokensPerSecond(), r.number("peak_rss_bytes") / (1L << 30));
    }

    static String describeRoof(RunResult r) {
        if (!r.ok()) {
            return "FAILED: " + r.error();
        }
        StringBuilder b = new StringBuilder();
        for (String f : List.of("gemm_f32_gflops", "gemm_bf16_gflops", "matvec_f32_gbps", "matvec_bf16_gbps")) {
            if (!Double.isNaN(r.number(f))) {
                b.append(b.length() == 0 ? "" : ", ").append(f).append(' ')
                        .append(String.format(Locale.ROOT, "%.1f", r.number(f)));
            }
        }
        return b.toString();
    }

    private static void mkdirs(Path p) {
        try {
            Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(p + ": cannot create the folder: " + e.getMessage(), e);
        }
    }
}
