package org.lvlmworkbench.core.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.lvlmworkbench.core.analysis.Analyses;
import org.lvlmworkbench.core.analysis.ResultCache;
import org.lvlmworkbench.core.analysis.evolution.EvolutionSettings;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.similarity.SimilaritySettings;
import org.lvlmworkbench.core.analysis.spectra.SpectraCache;
import org.lvlmworkbench.core.analysis.tokens.VisualTokenSettings;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.linalg.SingularValues;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;

/**
 * {@code bench --analysis}: how long each analysis takes on the shipped samples (nothing cached), and
 * the singular values of a 4096×11008 matrix (LLaVA-7B's MLP shape) here against
 * {@code torch.linalg.svdvals} run by the machine's Python in the same bench.
 */
public final class AnalysisBench {

    private AnalysisBench() {
    }

    /**
     * @param samples the model folders to time (those that exist), each with its probe file
     * @param items   probe items per analysis
     */
    public static JsonObject run(List<Path[]> samples, int items, String python, Path work, int svdRows, int svdCols,
            long timeoutSeconds, Consumer<String> log) {
        JsonObject out = new JsonObject();
        JsonArray models = new JsonArray();
        for (Path[] sample : samples) {
            Path folder = sample[0];
            if (!Files.isDirectory(folder) || !Files.isRegularFile(folder.resolve("config.json"))) {
                log.accept("analysis: " + folder + " is not there, skipped");
                continue;
            }
            JsonObject m = new JsonObject();
            m.addProperty("model", folder.toString());
            m.addProperty("items", items);
            ProbeSet probes = ProbeSet.fromEvalFile(sample[1], items);
            try (LoadedModel model = ModelLoader.load(folder)) {
                Path spectra;
                try {
                    spectra = Files.createTempDirectory(work.toAbsolutePath(), "spectra-");
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                m.addProperty("evolution_s", time(() -> Analyses.evolution(model, probes, EvolutionSettings.defaults(),
                        ResultCache.none(), Progress.NONE, null)));
                m.addProperty("cka_s", time(() -> Analyses.similarity(model, probes, SimilaritySettings.defaults(),
                        ResultCache.none(), Progress.NONE)));
                m.addProperty("tokens_s", time(() -> Analyses.tokens(model, probes, VisualTokenSettings.defaults(),
                        ResultCache.none(), Progress.NONE, null)));
                m.addProperty("spectra_whitened_s", time(() -> Analyses.spectra(model, probes, new SpectraCache(spectra),
                        Progress.NONE, null)));
                m.addProperty("decoder_layers", model.model().decoder().numLayers());
                m.addProperty("linear_weights", model.model().linears().size());
            }
            log.accept(String.format("analysis: %s, %d items: evolution %.1f s, cka %.1f s, tokens %.1f s, spectra "
                    + "(plain + whitened) %.1f s", folder, items, m.get("evolution_s").getAsDouble(),
                    m.get("cka_s").getAsDouble(), m.get("tokens_s").getAsDouble(),
                    m.get("spectra_whitened_s").getAsDouble()));
            models.add(m);
        }
        out.add("analyses", models);
        JsonObject svd = new JsonObject();
        svd.addProperty("rows", svdRows);
        svd.addProperty("cols", svdCols);
        svd.addProperty("implementation", SingularValues.implementation());
        log.accept("singular values of a " + svdRows + "×" + svdCols + " matrix here (" + SingularValues.implementation()
                + ") …");
        double ours = SingularValues.timeSeconds(svdRows, svdCols, 7);
        svd.addProperty("this_project_s", ours);
        Path script = PythonSide.probe(python, work, timeoutSeconds).script();
        if (script == null) {
            svd.addProperty("torch_skipped", "the bench scripts were not found");
        } else {
            for (String dtype : new String[] {"float32", "float64"}) {
                log.accept("torch.linalg.svdvals, " + dtype + " …");
                RunResult r = ChildProcess.run(List.of(python, script.resolveSibling("svd_bench.py").toString(),
                        "--rows", Integer.toString(svdRows), "--cols", Integer.toString(svdCols), "--dtype", dtype),
                        work.resolve("logs/svd-" + dtype), timeoutSeconds);
                if (r.ok()) {
                    svd.addProperty("torch_" + dtype + "_s", r.number("seconds"));
                    svd.addProperty("ratio_to_torch_" + dtype, ours / r.number("seconds"));
                } else {
                    svd.addProperty("torch_" + dtype + "_skipped", r.error());
                }
            }
        }
        out.add("svd", svd);
        return out;
    }

    /** The table {@code bench --analysis} prints. */
    public static String table(JsonObject r) {
        StringBuilder b = new StringBuilder();
        b.append(String.format("%-40s %8s %8s %8s %10s%n", "analyses (seconds, nothing cached)", "evolution", "cka",
                "tokens", "spectra"));
        for (var e : r.getAsJsonArray("analyses")) {
            JsonObject m = e.getAsJsonObject();
            b.append(String.format("%-40s %8.1f %8.1f %8.1f %10.1f%n", Path.of(m.get("model").getAsString())
                    .getFileName() + " (" + m.get("items").getAsInt() + " items)", m.get("evolution_s").getAsDouble(),
                    m.get("cka_s").getAsDouble(), m.get("tokens_s").getAsDouble(),
                    m.get("spectra_whitened_s").getAsDouble()));
        }
        JsonObject s = r.getAsJsonObject("svd");
        b.append(String.format("%nsingular values %d×%d: this project %.1f s (%s)%n", s.get("rows").getAsInt(),
                s.get("cols").getAsInt(), s.get("this_project_s").getAsDouble(), s.get("implementation").getAsString()));
        for (String dtype : new String[] {"float32", "float64"}) {
            if (s.has("torch_" + dtype + "_s")) {
                b.append(String.format("  torch.linalg.svdvals %s: %.1f s; ratio this project / torch %.2f%n", dtype,
                        s.get("torch_" + dtype + "_s").getAsDouble(), s.get("ratio_to_torch_" + dtype).getAsDouble()));
            } else if (s.has("torch_" + dtype + "_skipped")) {
                b.append("  torch " + dtype + ": skipped: " + s.get("torch_" + dtype + "_skipped").getAsString() + "\n");
            }
        }
        return b.toString();
    }

    public static void write(JsonObject r, Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(tmp, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
                    .create().toJson(r));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static double time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return (System.nanoTime() - t0) / 1e9;
    }

    /** The shipped samples, each with the held-out split drawn at its image size. */
    public static List<Path[]> shippedSamples() {
        List<Path[]> out = new ArrayList<>();
        for (Path model : List.of(org.lvlmworkbench.core.sample.SampleModel.defaultModel(),
                org.lvlmworkbench.core.sample.SampleModel.deepModel())) {
            out.add(new Path[] {model, org.lvlmworkbench.core.sample.ShapesEvalSet.defaultFileFor(model)});
        }
        return out;
    }
}
