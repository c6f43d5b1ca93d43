package org.lvlmworkbench.core.analysis;

import java.util.function.Consumer;
import org.lvlmworkbench.core.analysis.evolution.EvolutionResult;
import org.lvlmworkbench.core.analysis.evolution.EvolutionSettings;
import org.lvlmworkbench.core.analysis.evolution.ItemEvolution;
import org.lvlmworkbench.core.analysis.evolution.KnowledgeEvolution;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.similarity.LayerSimilarity;
import org.lvlmworkbench.core.analysis.spectra.CalibrationGrams;
import org.lvlmworkbench.core.analysis.spectra.MatrixSpectrum;
import org.lvlmworkbench.core.analysis.spectra.SpectraAnalysis;
import org.lvlmworkbench.core.analysis.spectra.SpectraCache;
import org.lvlmworkbench.core.analysis.similarity.SimilarityResult;
import org.lvlmworkbench.core.analysis.similarity.SimilaritySettings;
import org.lvlmworkbench.core.analysis.tokens.ItemTokenImportance;
import org.lvlmworkbench.core.analysis.tokens.TokenImportanceResult;
import org.lvlmworkbench.core.analysis.tokens.VisualTokenImportance;
import org.lvlmworkbench.core.analysis.tokens.VisualTokenSettings;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelFingerprint;

/**
 * The analyses as the CLI and the app run them: each looks in the result cache first (keyed by
 * model, probe set and settings), runs when absent, streams per-item results to {@code onItem}
 * (replayed from the cache too, so a view fills in the same way), and stores what it computed.
 */
public final class Analyses {

    public static final String EVOLUTION = "evolution";
    public static final String SIMILARITY = "similarity";
    public static final String TOKENS = "tokens";

    private Analyses() {
    }

    public static EvolutionResult evolution(LoadedModel model, ProbeSet probes, EvolutionSettings settings,
            ResultCache cache, Progress progress, Consumer<ItemEvolution> onItem) {
        String key = ResultCache.key(EVOLUTION, ModelFingerprint.of(model.folder()), probes.fingerprint(), settings);
        var cached = cache.get(key, EvolutionResult.class);
        if (cached.isPresent()) {
            if (onItem != null) {
                cached.get().items().forEach(onItem);
            }
            progress.update(1, "knowledge evolution: from the cache");
            return cached.get();
        }
        EvolutionResult r = KnowledgeEvolution.run(model, probes, settings, progress, onItem);
        cache.put(key, r);
        return r;
    }

    public static SimilarityResult similarity(LoadedModel model, ProbeSet probes, SimilaritySettings settings,
            ResultCache cache, Progress progress) {
        return similarity(model, probes, settings, cache, progress, null);
    }

    /** As above, handing {@code onPartial} the estimate so far as minibatches complete. */
    public static SimilarityResult similarity(LoadedModel model, ProbeSet probes, SimilaritySettings settings,
            ResultCache cache, Progress progress, Consumer<SimilarityResult> onPartial) {
        String key = ResultCache.key(SIMILARITY, ModelFingerprint.of(model.folder()), probes.fingerprint(), settings);
        var cached = cache.get(key, SimilarityResult.class);
        if (cached.isPresent()) {
            progress.update(1, "layer similarity: from the cache");
            return cached.get();
        }
        SimilarityResult r = LayerSimilarity.run(model, probes, settings, progress, onPartial);
        cache.put(key, r);
        return r;
    }

    /**
     * Singular spectra of every linear weight, streamed to {@code onMatrix}; whitened (SVD-LLM) ones too
     * when {@code calibration} is given (its items' prompt passes give each weight's input Gram). The
     * spectra cache ({@link SpectraCache}, per matrix) makes a second run read instead of decompose.
     */
    public static SpectraResult spectra(LoadedModel model, ProbeSet calibration, SpectraCache cache, Progress progress,
            Consumer<MatrixSpectrum> onMatrix) {
        CalibrationGrams grams = calibration == null ? null : new CalibrationGrams(model, calibration.items());
        SpectraAnalysis.Report report = new SpectraAnalysis(model, cache, grams).run(progress,
                onMatrix != null ? onMatrix : s -> { });
        return new SpectraResult(model.folder().toString(), calibration == null ? null : calibration.name(),
                calibration == null ? null : calibration.fingerprint(), grams != null, report.computed(),
                report.fromCache(), report.calibrationPasses(),
                report.spectra().stream().map(SpectraResult.Summary::of).toList(), report.spectra());
    }

    public static TokenImportanceResult tokens(LoadedModel model, ProbeSet probes, VisualTokenSettings settings,
            ResultCache cache, Progress progress, Consumer<ItemTokenImportance> onItem) {
        String key = ResultCache.key(TOKENS, ModelFingerprint.of(model.folder()), probes.fingerprint(), settings);
        var cached = cache.get(key, TokenImportanceResult.class);
        if (cached.isPresent()) {
            if (onItem != null) {
                cached.get().items().forEach(onItem);
            }
            progress.update(1, "visual tokens: from the cache");
            return cached.get();
        }
        TokenImportanceResult r = VisualTokenImportance.run(model, probes, settings, progress, onItem);
        cache.put(key, r);
        return r;
    }
}
