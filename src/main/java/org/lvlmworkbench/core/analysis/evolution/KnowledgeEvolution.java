package org.lvlmworkbench.core.analysis.evolution;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.lvlmworkbench.core.analysis.probe.EncodedProbe;
import org.lvlmworkbench.core.analysis.probe.ProbeEncoder;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeRun;
import org.lvlmworkbench.core.analysis.probe.ProbeRunner;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import ai.djl.ndarray.NDManager;

/**
 * Knowledge evolution across the decoder's layers (after arXiv 2504.02862, with its lens and
 * divergence done right): for each probe item, the logit lens at every layer for every answer token
 * (and, optionally, every prompt position), the Jensen–Shannon divergence between consecutive
 * layers and to the output, the critical and mutation layers; then the aggregate over the probe set
 * and a PCA of each layer's hidden state at the first answer token.
 */
public final class KnowledgeEvolution {

    private KnowledgeEvolution() {
    }

    /**
     * Runs the analysis; {@code onItem} receives each item's evolution as it finishes (a view fills in
     * as items complete). Cancellable between passes.
     */
    public static EvolutionResult run(LoadedModel model, ProbeSet probes, EvolutionSettings settings, Progress progress,
            Consumer<ItemEvolution> onItem) {
        List<ItemEvolution> items = new ArrayList<>();
        int n = probes.size();
        for (int i = 0; i < n; i++) {
            ProbeItem item = probes.items().get(i);
            progress.update((double) i / n, "knowledge evolution: item " + (i + 1) + " of " + n);
            ItemEvolution evolution = runItem(model, item, settings, progress);
            items.add(evolution);
            if (onItem != null) {
                onItem.accept(evolution);
            }
        }
        progress.update(1, "knowledge evolution: " + n + " items");
        int entries = model.model().decoder().numLayers() + 1;
        EvolutionSummary summary = summarise(items, entries, settings.stages());
        List<String> warnings = new ArrayList<>();
        if (summary.finalStepOnly() > 0 && settings.lens() == LensMode.RAW) {
            warnings.add(summary.finalStepOnly() + " of " + summary.itemsWithMutation() + " items have their only "
                    + "mutation at the last transition, where the raw lens also applies the final norm: likely the "
                    + "lens, not the model (compare with the normed lens)");
        }
        if (summary.stages().mutation() == entries - 2 && settings.lens() == LensMode.RAW) {
            warnings.add("the aggregate's mutation is the last transition, which mixes the last block with the final "
                    + "norm under the raw lens");
        }
        return new EvolutionResult(settings, model.folder().toString(), probes.name(), probes.fingerprint(), entries,
                items, summary, pca(items, entries), warnings);
    }

    /** One item: encode, generate with the lens observer, and collect its evolution. */
    public static ItemEvolution runItem(LoadedModel model, ProbeItem item, EvolutionSettings settings,
            Progress progress) {
        try (NDManager scope = model.model().manager().newSubManager()) {
            EncodedProbe probe = ProbeEncoder.encode(model, item, scope);
            LensObserver lens = new LensObserver(model, settings, probe.table(), probe.promptIds(), probe.expectedIds());
            ProbeRun run = ProbeRunner.run(model, probe, settings.maxNewTokens(), List.of(lens), progress);
            return new ItemEvolution(run, List.copyOf(lens.positions()), lens.answerState());
        }
    }

    static EvolutionSummary summarise(List<ItemEvolution> items, int entries, StageSettings stages) {
        int transitions = entries - 1;
        List<PositionEvolution> first = items.stream().map(i -> i.step(0)).filter(p -> p != null).toList();
        double[] median = new double[transitions];
        double[] lower = new double[transitions];
        double[] upper = new double[transitions];
        for (int t = 0; t < transitions; t++) {
            int index = t;
            double[] values = first.stream().mapToDouble(p -> p.jsNext()[index]).toArray();
            median[t] = quantile(values, 0.5);
            lower[t] = quantile(values, 0.25);
            upper[t] = quantile(values, 0.75);
        }
        double[] toFinal = new double[entries];
        double[] answerProb = new double[entries];
        for (int e = 0; e < entries; e++) {
            int index = e;
            toFinal[e] = quantile(first.stream().mapToDouble(p -> p.jsToFinal()[index]).toArray(), 0.5);
            answerProb[e] = quantile(first.stream().mapToDouble(p -> p.layers().get(index).emittedProb())
                    .filter(v -> !Double.isNaN(v)).toArray(), 0.5);
        }
        double[] critical = first.stream().mapToInt(p -> p.stages().critical()).filter(c -> c >= 0)
                .mapToDouble(c -> c).toArray();
        int mutations = (int) first.stream().filter(p -> p.stages().mutation() >= 0).count();
        int finalOnly = (int) first.stream().filter(p -> p.stages().finalStepMutation()).count();
        return new EvolutionSummary(median, lower, upper, toFinal, answerProb, StageDetector.detect(median, stages),
                quantile(critical, 0.5), quantile(critical, 0.25), quantile(critical, 0.75), mutations, finalOnly);
    }

    static List<LayerPca> pca(List<ItemEvolution> items, int entries) {
        List<ItemEvolution> with = items.stream().filter(i -> i.answerState() != null).toList();
        List<String> labels = with.stream().map(i -> i.run().item().expected() != null ? i.run().item().expected()
                : i.run().answer()).toList();
        List<LayerPca> out = new ArrayList<>();
        for (int e = 0; e < entries; e++) {
            float[][] rows = new float[with.size()][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = with.get(i).answerState()[e];
            }
            double[][][] p = Pca.project(rows);
            out.add(new LayerPca(e, p[0], labels, p[1][0]));
        }
        return out;
    }

    /** Linear-interpolated quantile (as numpy's default); NaN for no values. */
    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] v = values.clone();
        Arrays.sort(v);
        double pos = q * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }
}
