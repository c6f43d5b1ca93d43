package org.lvlmworkbench.core.analysis;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.analysis.evolution.EvolutionResult;
import org.lvlmworkbench.core.analysis.evolution.EvolutionSummary;
import org.lvlmworkbench.core.analysis.evolution.ItemEvolution;
import org.lvlmworkbench.core.analysis.evolution.LayerPca;
import org.lvlmworkbench.core.analysis.evolution.PositionEvolution;
import org.lvlmworkbench.core.analysis.probe.TokenInfo;
import org.lvlmworkbench.core.analysis.similarity.CkaMatrix;
import org.lvlmworkbench.core.analysis.similarity.LayerInfluence;
import org.lvlmworkbench.core.analysis.similarity.SimilarityResult;
import org.lvlmworkbench.core.analysis.tokens.ItemTokenImportance;
import org.lvlmworkbench.core.analysis.tokens.TokenImportanceResult;
import org.lvlmworkbench.core.model.PatchGrid;
import org.lvlmworkbench.core.render.ColorMap;
import org.lvlmworkbench.core.render.Heatmap;
import org.lvlmworkbench.core.render.LineChart;
import org.lvlmworkbench.core.render.PatchOverlay;
import org.lvlmworkbench.core.render.ScatterChart;

/**
 * The charts of each analysis as images, named for files: what {@code analyze} writes as PNG and
 * what a report embeds. The app draws the same data with its own interactive controls.
 */
public final class AnalysisCharts {

    private static final int W = 1200;
    private static final int H = 760;
    private static final int ITEMS_IN_HEATMAP = 40;
    private static final int OVERLAY_ITEMS = 4;

    private AnalysisCharts() {
    }

    public static Map<String, BufferedImage> evolution(EvolutionResult r) {
        Map<String, BufferedImage> out = new LinkedHashMap<>();
        int transitions = r.entries() - 1;
        List<String> columns = new ArrayList<>();
        for (int t = 0; t < transitions; t++) {
            columns.add(EvolutionResult.transitionLabel(t));
        }
        List<ItemEvolution> shown = r.items().stream().filter(i -> i.step(0) != null).limit(ITEMS_IN_HEATMAP).toList();
        if (!shown.isEmpty()) {
            double[][] js = new double[shown.size()][];
            List<String> rows = new ArrayList<>();
            for (int i = 0; i < shown.size(); i++) {
                js[i] = shown.get(i).step(0).jsNext();
                rows.add(shown.get(i).run().item().prompt() + " → " + shown.get(i).run().answer().strip());
            }
            out.put("evolution-js-items", Heatmap.builder(js).rowLabels(rows).columnLabels(columns)
                    .title("Divergence between consecutive layers at the first answer token (" + r.settings().lens()
                            .description() + ")")
                    .xTitle("layer transition").yTitle("probe item").colorBarLabel("JS divergence (bits)")
                    .colorMap(ColorMap.VIRIDIS).range(0, 1).build().render(W, Math.max(H, 140 + 18 * shown.size())));
            ItemEvolution first = shown.get(0);
            List<PositionEvolution> steps = first.positions().stream().filter(p -> p.step() >= 0).toList();
            double[][] perStep = new double[steps.size()][];
            List<String> tokens = new ArrayList<>();
            for (int s = 0; s < steps.size(); s++) {
                perStep[s] = steps.get(s).jsNext();
                int position = steps.get(s).position() + 1;
                tokens.add(position < first.run().table().size() ? first.run().table().get(position).text()
                        : "(end)");
            }
            out.put("evolution-js-answer", Heatmap.builder(perStep).rowLabels(tokens).columnLabels(columns)
                    .title("\"" + first.run().item().prompt() + "\": each answer token through the layers")
                    .xTitle("layer transition").yTitle("answer token").colorBarLabel("JS divergence (bits)")
                    .colorMap(ColorMap.VIRIDIS).range(0, 1).annotate(true).build()
                    .render(W, Math.max(420, 160 + 40 * steps.size())));
        }
        EvolutionSummary s = r.summary();
        double[] x = new double[transitions];
        double[] xe = new double[r.entries()];
        for (int t = 0; t < transitions; t++) {
            x[t] = t;
        }
        for (int e = 0; e < r.entries(); e++) {
            xe[e] = e - 0.5; // entry e sits between transitions e−1 and e
        }
        LineChart.Builder curves = LineChart.builder()
                .title("Knowledge evolution over " + r.items().size() + " items (median and quartiles)")
                .xTitle("layer transition (0 = embeddings → block 0)").yTitle("bits / probability")
                .series("JS to next layer, median", x, s.medianJsNext())
                .series("JS to next layer, 25 %", x, s.lowerJsNext())
                .series("JS to next layer, 75 %", x, s.upperJsNext())
                .series("JS to the output, median", xe, s.medianJsToFinal())
                .series("p(answer token), median", xe, s.medianAnswerProb());
        if (s.stages().critical() >= 0) {
            curves.marker(s.stages().critical(), "critical " + EvolutionResult.transitionLabel(s.stages().critical()));
        }
        if (s.stages().mutation() >= 0) {
            curves.marker(s.stages().mutation(), "mutation " + EvolutionResult.transitionLabel(s.stages().mutation()));
        }
        out.put("evolution-curves", curves.build().render(W, H));
        int entry = s.stages().critical() >= 0 ? Math.min(r.entries() - 1, s.stages().critical() + 1)
                : r.entries() / 2;
        for (int e : new int[] {entry, r.entries() - 1}) {
            LayerPca p = r.pca().get(e);
            if (p.points().length >= 2) {
                double[] px = new double[p.points().length];
                double[] py = new double[p.points().length];
                for (int i = 0; i < px.length; i++) {
                    px[i] = p.points()[i][0];
                    py[i] = p.points()[i][1];
                }
                out.put("evolution-pca-" + EvolutionResult.entryLabel(e).replace(' ', '-'), ScatterChart.builder()
                        .title("Hidden state at the first answer token, " + EvolutionResult.entryLabel(e)
                                + " (PCA, coloured by answer)")
                        .xTitle(String.format("PC1 (%.0f %% of variance)", 100 * p.explained()[0]))
                        .yTitle(String.format("PC2 (%.0f %% of variance)", 100 * p.explained()[1]))
                        .points(px, py, p.labels()).build().render(W, H));
            }
        }
        return out;
    }

    public static Map<String, BufferedImage> similarity(SimilarityResult r) {
        Map<String, BufferedImage> out = new LinkedHashMap<>();
        for (CkaMatrix m : r.cka()) {
            String name = "cka-" + m.tower() + "-" + m.tokens().name().toLowerCase() + "-" + m.kernel().name().toLowerCase();
            out.put(name, Heatmap.builder(m.values()).rowLabels(m.labels()).columnLabels(m.labels())
                    .title("CKA (" + m.kernel().name().toLowerCase() + ", unbiased) between the " + m.tower()
                            + " layers, " + m.tokens().label() + ", " + m.examples() + " tokens")
                    .xTitle("layer").yTitle("layer").colorBarLabel("CKA").colorMap(ColorMap.VIRIDIS).range(0, 1)
                    .annotate(m.labels().size() <= 20).build().render(W, H));
        }
        if (!r.influence().isEmpty()) {
            LineChart.Builder b = LineChart.builder().title("Block Influence (1 − cos(input, output)) per decoder block")
                    .xTitle("decoder block").yTitle("Block Influence");
            for (LayerInfluence i : r.influence()) {
                double[] x = new double[i.influence().length];
                for (int k = 0; k < x.length; k++) {
                    x[k] = k;
                }
                b.series(i.tokens().label(), x, i.influence());
            }
            LayerInfluence all = r.influence().get(0);
            double[] x = new double[all.lastTokenCosine().length];
            double[] y = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                x[k] = k;
                y[k] = 1 - all.lastTokenCosine()[k];
            }
            b.series("1 − cos at the last prompt token", x, y);
            out.put("block-influence", b.build().render(W, H));
        }
        return out;
    }

    public static Map<String, BufferedImage> spectra(SpectraResult r) {
        Map<String, BufferedImage> out = new LinkedHashMap<>();
        for (String component : new String[] {"text", "vision"}) {
            List<SpectraResult.Summary> rows = r.matrices().stream().filter(m -> m.component().equals(component))
                    .toList();
            if (rows.isEmpty()) {
                continue;
            }
            List<String> roles = rows.stream().map(SpectraResult.Summary::role).distinct().toList();
            int layers = rows.stream().mapToInt(SpectraResult.Summary::layer).max().orElse(0) + 1;
            double[][] v = new double[layers][roles.size()];
            for (double[] row : v) {
                java.util.Arrays.fill(row, Double.NaN);
            }
            for (SpectraResult.Summary m : rows) {
                v[m.layer()][roles.indexOf(m.role())] = m.effectiveRankRoyVetterli() / Math.min(m.rows(), m.cols());
            }
            List<String> blocks = new ArrayList<>();
            for (int l = 0; l < layers; l++) {
                blocks.add("block " + l);
            }
            out.put("spectra-" + component + "-effective-rank", Heatmap.builder(v).rowLabels(blocks).columnLabels(roles)
                    .title("Effective rank (Roy & Vetterli) of each " + component + " weight, as a fraction of min(m, n)")
                    .xTitle("matrix").yTitle(component + " block").colorBarLabel("effective rank / min(m, n)")
                    .colorMap(ColorMap.VIRIDIS).range(0, 1).annotate(roles.size() * layers <= 400).build()
                    .render(W, Math.max(H, 160 + 24 * layers)));
        }
        List<org.lvlmworkbench.core.analysis.spectra.MatrixSpectrum> text = r.spectra().stream()
                .filter(s -> s.component().equals("text")).toList();
        if (!text.isEmpty()) {
            int middle = text.stream().mapToInt(s -> s.layer()).max().orElse(0) / 2;
            LineChart.Builder b = LineChart.builder().logY(true)
                    .title("Singular values of block " + middle + "'s weights, normalised by the largest")
                    .xTitle("index / min(m, n)").yTitle("σ_i / σ_1");
            for (var s : text.stream().filter(s -> s.layer() == middle).toList()) {
                double[] sigma = s.singularValues();
                double[] x = new double[sigma.length];
                double[] y = new double[sigma.length];
                for (int i = 0; i < sigma.length; i++) {
                    x[i] = (i + 1.0) / sigma.length;
                    y[i] = sigma[0] == 0 ? Double.NaN : sigma[i] / sigma[0];
                }
                b.series(s.role(), x, y);
            }
            out.put("spectra-text-block" + middle, b.build().render(W, H));
            var down = text.stream().filter(s -> s.layer() == middle && s.whitened() != null).findFirst();
            if (down.isPresent()) {
                var s = down.get();
                double[] loss = s.whitened().truncationLoss();
                double[] energy = s.energyRetained();
                double[] x = new double[loss.length];
                double[] lossY = new double[loss.length];
                double[] plainY = new double[loss.length];
                for (int k = 0; k < loss.length; k++) {
                    x[k] = k;
                    lossY[k] = loss[0] == 0 ? 0 : loss[k] / loss[0];
                    plainY[k] = 1 - energy[Math.min(k, energy.length - 1)];
                }
                out.put("spectra-whitened-" + s.role() + "-block" + middle, LineChart.builder()
                        .title(s.name() + ": what truncating to rank k discards")
                        .xTitle("rank k").yTitle("discarded: ‖(W − W_k)X‖² / ‖WX‖² (whitened), Σ_{i>k} σ_i² / Σσ² (plain)")
                        .series("SVD-LLM: output error", x, lossY)
                        .series("plain SVD: weight energy", x, plainY)
                        .marker(s.breakEvenRank(), "break-even rank " + s.breakEvenRank()).build().render(W, H));
            }
        }
        return out;
    }

    public static Map<String, BufferedImage> tokens(TokenImportanceResult r) {
        Map<String, BufferedImage> out = new LinkedHashMap<>();
        for (ItemTokenImportance item : r.items().stream().limit(OVERLAY_ITEMS).toList()) {
            PatchGrid grid = item.run().table().grids().get(0);
            int q = item.queryIndex(item.answerQuery());
            int layers = item.headMean().length;
            String id = item.run().item().id().replaceAll("[^A-Za-z0-9._-]", "_");
            String caption = "\"" + item.run().item().prompt() + "\" → " + item.run().answer().strip();
            int middle = layers / 2;
            out.put("tokens-" + id + "-attention-block" + middle, overlay(grid, item, item.headMean()[middle][q],
                    caption + ": attention from the answer position, block " + middle + ", head mean",
                    "attention weight"));
            out.put("tokens-" + id + "-rollout", overlay(grid, item, item.rollout()[q],
                    caption + ": attention rollout from the answer position", "rollout weight"));
            out.put("tokens-" + id + "-fastv", overlay(grid, item, item.fastV(Math.min(layers, r.settings().fastVLayer())),
                    caption + ": FastV score (block " + (Math.min(layers, r.settings().fastVLayer()) - 1)
                            + ", last prompt token)", "attention weight"));
        }
        if (!r.items().isEmpty()) {
            int layers = r.items().get(0).headMean().length;
            double[] x = new double[layers];
            double[] share = new double[layers];
            for (int l = 0; l < layers; l++) {
                x[l] = l;
                for (ItemTokenImportance item : r.items()) {
                    float[] row = item.headMean()[l][item.queryIndex(item.answerQuery())];
                    double sum = 0;
                    for (float v : row) {
                        sum += v;
                    }
                    share[l] += sum / r.items().size();
                }
            }
            out.put("tokens-image-share", LineChart.builder()
                    .title("Share of the answer position's attention that goes to image tokens (mean over "
                            + r.items().size() + " items)")
                    .xTitle("decoder block").yTitle("attention on image tokens").series("head mean", x, share)
                    .build().render(W, H));
        }
        return out;
    }

    private static BufferedImage overlay(PatchGrid grid, ItemTokenImportance item, float[] values, String title,
            String unit) {
        double[][] cells = new double[grid.rows()][grid.cols()];
        for (double[] row : cells) {
            java.util.Arrays.fill(row, Double.NaN);
        }
        for (int i = 0; i < item.imagePositions().length; i++) {
            TokenInfo t = item.run().table().get(item.imagePositions()[i]);
            if (t.row() >= 0) {
                cells[t.row()][t.col()] = values[i];
            }
        }
        return PatchOverlay.builder(grid.processed().width(), grid.processed().height(), grid.processed().rgb(), cells)
                .title(title).colorBarLabel(unit).colorMap(ColorMap.VIRIDIS).gridLines(true).build().render(900, 760);
    }
}
