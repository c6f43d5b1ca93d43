package org.lvlmworkbench.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.lvlmworkbench.core.analysis.AnalysisCharts;
import org.lvlmworkbench.core.analysis.AnalysisJson;
import org.lvlmworkbench.core.analysis.Analyses;
import org.lvlmworkbench.core.analysis.ResultCache;
import org.lvlmworkbench.core.analysis.SpectraResult;
import org.lvlmworkbench.core.analysis.spectra.SpectraCache;
import org.lvlmworkbench.core.analysis.evolution.EvolutionResult;
import org.lvlmworkbench.core.analysis.evolution.EvolutionSettings;
import org.lvlmworkbench.core.analysis.evolution.LensMode;
import org.lvlmworkbench.core.analysis.evolution.StageSettings;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.similarity.CkaKernel;
import org.lvlmworkbench.core.analysis.similarity.CkaMatrix;
import org.lvlmworkbench.core.analysis.similarity.SimilarityResult;
import org.lvlmworkbench.core.analysis.similarity.SimilaritySettings;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.analysis.tokens.TokenImportanceResult;
import org.lvlmworkbench.core.analysis.tokens.VisualTokenSettings;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelFingerprint;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.render.Png;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "analyze", description = "Run the interpretability analyses over a probe set and write each as JSON "
        + "(settings, fingerprints, results) and PNG charts; no display needed.")
final class AnalyzeCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = {"-d", "--data"}, paramLabel = "FILE",
            description = "probe items: JSONL with image, prompt, answer, type (default: samples/shapes-eval-N/eval.jsonl for N-pixel models, else samples/shapes-eval/eval.jsonl)")
    Path data;

    @Option(names = "--images", paramLabel = "DIR", description = "probe items: every image in DIR with --prompt")
    Path images;

    @Option(names = {"-p", "--prompt"}, description = "the prompt for --images, or a single typed probe without either")
    String prompt;

    @Option(names = {"-n", "--items"}, defaultValue = "24", description = "probe items to use (${DEFAULT-VALUE})")
    int items;

    @Option(names = "--what", split = ",", defaultValue = "evolution,cka,tokens,spectra",
            description = "analyses: evolution, cka, tokens, spectra (${DEFAULT-VALUE})")
    List<String> what;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "where JSON and PNG files go")
    Path out;

    @Option(names = "--lens", defaultValue = "normed", description = "logit lens: normed (final norm, then lm_head) "
            + "or raw (no final norm: the paper's code) (${DEFAULT-VALUE})")
    String lens;

    @Option(names = "--max-new-tokens", defaultValue = "8", description = "answer tokens followed (${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--no-cache", description = "recompute instead of reading earlier results")
    boolean noCache;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        java.io.PrintWriter log = spec.commandLine().getOut();
        ProbeSet probes = probes();
        ResultCache cache = noCache ? ResultCache.none() : ResultCache.standard();
        try (LoadedModel m = ModelLoader.load(model.folder())) {
            m.allWarnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
            String fingerprint = ModelFingerprint.of(m.folder());
            log.printf("model %s (%s), probe set %s: %d items%n", m.folder(), fingerprint, probes.name(), probes.size());
            Progress progress = Progress.of(() -> false, (f, msg) -> { });
            for (String analysis : what) {
                long t0 = System.nanoTime();
                switch (analysis.strip().toLowerCase(Locale.ROOT)) {
                    case "evolution" -> {
                        EvolutionSettings settings = new EvolutionSettings(lensMode(), 5, maxNewTokens, false,
                                StageSettings.DEFAULT);
                        EvolutionResult r = Analyses.evolution(m, probes, settings, cache, progress, null);
                        write("evolution", fingerprint, probes, settings, r, AnalysisCharts.evolution(r));
                        log.printf("evolution: critical transition %s, mutation %s (median over items: critical %.1f, "
                                + "quartiles %.1f–%.1f)%s%n", label(r.summary().stages().critical()),
                                label(r.summary().stages().mutation()), r.summary().criticalMedian(),
                                r.summary().criticalLower(), r.summary().criticalUpper(),
                                r.warnings().isEmpty() ? "" : "; " + String.join("; ", r.warnings()));
                    }
                    case "cka" -> {
                        SimilaritySettings settings = SimilaritySettings.defaults();
                        SimilarityResult r = Analyses.similarity(m, probes, settings, cache, progress);
                        write("cka", fingerprint, probes, settings, r, AnalysisCharts.similarity(r));
                        CkaMatrix all = r.matrix("text", TokenSelection.ALL, CkaKernel.LINEAR);
                        if (all != null) {
                            log.printf("cka: most alike adjacent decoder layers %s%n", mostAlikeAdjacent(all));
                        }
                    }
                    case "tokens" -> {
                        VisualTokenSettings settings = new VisualTokenSettings(maxNewTokens, 2);
                        TokenImportanceResult r = Analyses.tokens(m, probes, settings, cache, progress, null);
                        write("tokens", fingerprint, probes, settings, r, AnalysisCharts.tokens(r));
                        log.printf("tokens: %d items, %d image tokens each%n", r.items().size(),
                                r.items().isEmpty() ? 0 : r.items().get(0).imagePositions().length);
                    }
                    case "spectra" -> {
                        // Whitened spectra calibrate on (at most 16 of) the probe items.
                        ProbeSet calibration = new ProbeSet(probes.name(), probes.items().subList(0,
                                Math.min(16, probes.size())));
                        SpectraResult r = Analyses.spectra(m, calibration, new SpectraCache(spectraCache(cache)),
                                progress, null);
                        write("spectra", fingerprint, probes, java.util.Map.of("whitened", true, "calibration_items",
                                calibration.size()), r, AnalysisCharts.spectra(r));
                        log.printf("spectra: %d matrices (%d spectra computed, %d from the cache), median effective rank "
                                + "%.0f %% of min(m, n)%n", r.matrices().size(), r.computed(), r.fromCache(),
                                100 * medianEffectiveRank(r));
                    }
                    default -> throw new IllegalArgumentException("--what: unknown analysis '" + analysis
                            + "' (evolution, cka, tokens, spectra)");
                }
                log.printf("  %s: %.1f s%n", analysis, (System.nanoTime() - t0) / 1e9);
                log.flush();
            }
        }
        log.printf("wrote %s%n", out.toAbsolutePath().normalize());
        return 0;
    }

    private ProbeSet probes() {
        if (images != null) {
            if (prompt == null) {
                throw new IllegalArgumentException("--images needs --prompt");
            }
            return ProbeSet.fromImageFolder(images, prompt, items);
        }
        if (data == null && prompt != null) {
            return ProbeSet.single(prompt, null, null);
        }
        return ProbeSet.fromEvalFile(data != null ? data : ShapesEvalSet.defaultFileFor(model.folder()), items);
    }

    private LensMode lensMode() {
        return switch (lens.toLowerCase(Locale.ROOT)) {
            case "normed" -> LensMode.NORMED;
            case "raw" -> LensMode.RAW;
            default -> throw new IllegalArgumentException("--lens must be normed or raw, not '" + lens + "'");
        };
    }

    /** The spectra cache beside the results cache (or a throwaway one with --no-cache). */
    private static Path spectraCache(ResultCache cache) {
        try {
            return cache.dir() != null ? cache.dir().resolveSibling("spectra")
                    : Files.createTempDirectory("lvlm-spectra");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static double medianEffectiveRank(SpectraResult r) {
        double[] v = r.matrices().stream().mapToDouble(s -> s.effectiveRankRoyVetterli() / Math.min(s.rows(), s.cols()))
                .sorted().toArray();
        return v.length == 0 ? Double.NaN : v[v.length / 2];
    }

    private static String label(int transition) {
        return transition < 0 ? "none" : EvolutionResult.transitionLabel(transition);
    }

    private static String mostAlikeAdjacent(CkaMatrix m) {
        int best = 1;
        for (int i = 1; i + 1 < m.values().length; i++) {
            if (m.values()[i][i + 1] > m.values()[best][best + 1]) {
                best = i;
            }
        }
        return String.format("%s and %s (linear CKA %.3f)", m.labels().get(best), m.labels().get(best + 1),
                m.values()[best][best + 1]);
    }

    /** {@code <name>.json} ({@code analysis}, fingerprints, settings, result) and every chart as {@code <chart>.png}. */
    private void write(String name, String modelFingerprint, ProbeSet probes, Object settings, Object result,
            Map<String, BufferedImage> charts) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("analysis", name);
        doc.put("model", model.folder().toAbsolutePath().normalize().toString());
        doc.put("model_fingerprint", modelFingerprint);
        doc.put("probe_set", probes.name());
        doc.put("probe_fingerprint", probes.fingerprint());
        doc.put("settings", settings);
        doc.put("result", result);
        try {
            Files.createDirectories(out);
            Path file = out.resolve(name + ".json");
            Path tmp = Files.createTempFile(out, name, ".partial");
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                AnalysisJson.gson().toJson(doc, w);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + out.resolve(name + ".json") + ": " + e.getMessage(), e);
        }
        charts.forEach((chart, image) -> Png.write(image, out.resolve(chart + ".png")));
    }
}
