package org.lvlmworkbench.core.compress.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.lvlmworkbench.core.analysis.similarity.CkaMatrix;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.render.Chart;
import org.lvlmworkbench.core.render.ColorMap;
import org.lvlmworkbench.core.render.Heatmap;
import org.lvlmworkbench.core.render.LineChart;
import org.lvlmworkbench.core.render.PatchOverlay;
import org.lvlmworkbench.core.render.ScatterChart;

/**
 * The report's charts, built from {@link ReportData}: each is drawn once as PNG and once as SVG from
 * the same drawing. A chart whose data the report lacks (no pruning, no evaluation) is left out.
 */
public final class ReportCharts {

    /** The size charts are drawn at: wide enough to read on a projector at 1080p. */
    public static final int WIDTH = 1100;
    public static final int HEIGHT = 700;

    /** A chart with the file name it is saved under and its caption. */
    public record Figure(String name, String caption, Chart chart, int width, int height) {
    }

    private ReportCharts() {
    }

    public static List<Figure> of(ReportData d) {
        List<Figure> out = new ArrayList<>();
        if (d.cka() != null) {
            out.add(cka(d.cka(), d.plan()));
        }
        if (!d.ranks().isEmpty()) {
            out.add(rankMap(d.ranks()));
            out.add(ranksOverSpectra(d.ranks()));
        }
        if (d.keptTokens() != null) {
            out.add(keptTokens(d.keptTokens()));
        }
        if (d.points().size() >= 2) {
            out.add(pareto(d.points()));
        }
        return out;
    }

    /** Layer similarity with the plan's merged runs and dropped blocks outlined on the diagonal. */
    static Figure cka(CkaMatrix m, CompressionPlan plan) {
        int n = m.labels().size();
        Heatmap.Builder b = Heatmap.builder(m.values()).rowLabels(m.labels()).columnLabels(m.labels())
                .title("Layer similarity (linear CKA, unbiased) of the original decoder, " + m.tokens().label())
                .xTitle("layer").yTitle("layer").colorBarLabel("CKA").colorMap(ColorMap.VIRIDIS).range(0, 1)
                .annotate(n <= 20);
        // Row 0 is the embeddings; block l is row l + 1.
        for (MergeGroup g : plan.merges()) {
            if (g.last() + 1 < n) {
                b.box(new Heatmap.Box(g.first() + 1, g.last() + 1, g.first() + 1, g.last() + 1,
                        "merged " + g.first() + "–" + g.last()));
            }
        }
        for (int l : plan.droppedLayers()) {
            if (l + 1 < n) {
                b.box(new Heatmap.Box(l + 1, l + 1, l + 1, l + 1, "dropped " + l));
            }
        }
        String caption = plan.merges().isEmpty() && plan.droppedLayers().isEmpty()
                ? "How alike the decoder's layers are; the plan changes no depth."
                : "How alike the decoder's layers are; the outlined blocks are the layers the plan merges or drops"
                        + " (alike layers are the ones that can go).";
        return new Figure("cka", caption, b.build(), WIDTH, HEIGHT);
    }

    /** Kept rank as a share of full rank, one row per matrix role, one column per layer. */
    static Figure rankMap(List<ReportData.RankRow> ranks) {
        TreeSet<Integer> layers = new TreeSet<>();
        List<String> roles = new ArrayList<>();
        for (ReportData.RankRow r : ranks) {
            layers.add(r.layer());
            if (!roles.contains(r.role())) {
                roles.add(r.role());
            }
        }
        List<Integer> layerList = new ArrayList<>(layers);
        double[][] v = new double[roles.size()][layerList.size()];
        for (double[] row : v) {
            java.util.Arrays.fill(row, Double.NaN);
        }
        for (ReportData.RankRow r : ranks) {
            v[roles.indexOf(r.role())][layerList.indexOf(r.layer())] = (double) r.rank() / r.fullRank();
        }
        List<String> columns = layerList.stream().map(l -> l < 0 ? "-" : Integer.toString(l)).toList();
        Chart c = Heatmap.builder(v).rowLabels(roles).columnLabels(columns)
                .title("Rank kept per matrix, as a share of its full rank").xTitle("decoder layer").yTitle("matrix")
                .colorBarLabel("rank / full rank").colorMap(ColorMap.VIRIDIS).range(0, 1)
                .annotate(roles.size() * layerList.size() <= 400).build();
        return new Figure("ranks", "Where the plan cuts: each cell is one weight matrix's kept rank over its full rank"
                + " (blank: left dense).", c, WIDTH, Math.max(360, 120 + 50 * roles.size()));
    }

    /** Per layer, the mean kept rank against the mean effective rank and break-even rank of the same matrices. */
    static Figure ranksOverSpectra(List<ReportData.RankRow> ranks) {
        TreeMap<Integer, double[]> byLayer = new TreeMap<>(); // kept, effective, break-even, full, count
        for (ReportData.RankRow r : ranks) {
            double[] a = byLayer.computeIfAbsent(r.layer(), k -> new double[6]);
            a[0] += r.rank();
            if (Double.isFinite(r.effectiveRank())) {
                a[1] += r.effectiveRank();
                a[5]++;
            }
            a[2] += r.breakEvenRank();
            a[3] += r.fullRank();
            a[4]++;
        }
        int n = byLayer.size();
        double[] x = new double[n];
        double[] kept = new double[n];
        double[] effective = new double[n];
        double[] breakEven = new double[n];
        double[] full = new double[n];
        int i = 0;
        for (Map.Entry<Integer, double[]> e : byLayer.entrySet()) {
            double[] a = e.getValue();
            x[i] = e.getKey();
            kept[i] = a[0] / a[4];
            effective[i] = a[5] == 0 ? Double.NaN : a[1] / a[5];
            breakEven[i] = a[2] / a[4];
            full[i] = a[3] / a[4];
            i++;
        }
        LineChart.Builder b = LineChart.builder().title("Ranks kept against the spectra, mean over each layer's matrices")
                .xTitle("decoder layer").yTitle("rank").series("kept rank", x, kept)
                .series("effective rank of the spectrum", x, effective)
                .series("break-even rank mn/(m+n)", x, breakEven).series("full rank", x, full);
        return new Figure("ranks-over-spectra", "Kept ranks against the effective rank (exp of the entropy of σ/‖σ‖₁,"
                + " Roy & Vetterli) of the spectrum each method truncates: a rank above the break-even line would save"
                + " nothing.", b.build(), WIDTH, HEIGHT);
    }

    static Figure keptTokens(ReportData.KeptTokens k) {
        Chart c = PatchOverlay.builder(k.width(), k.height(), k.image(), k.cells())
                .title("Image tokens kept: " + k.kept() + " of " + k.imageTokens() + " (" + k.policy() + ")")
                .colorBarLabel("gone from layer (" + k.layers() + " = kept)").colorMap(ColorMap.VIRIDIS)
                .range(0, k.layers()).gridLines(true).build();
        return new Figure("kept-tokens", "On \"" + k.prompt() + "\" the pruned model answered \"" + k.answer()
                + "\"; each patch is coloured by the layer from which it is no longer in the sequence.", c, 900, HEIGHT);
    }

    static Figure pareto(List<ReportData.ParetoPoint> points) {
        int n = points.size();
        double[] x = new double[n];
        double[] y = new double[n];
        List<String> categories = new ArrayList<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            ReportData.ParetoPoint p = points.get(i);
            x[i] = p.parameters() / 1e6;
            y[i] = 100 * p.accuracy();
            String category = p.current() ? "this plan" : p.label().equals("original") ? "original" : "other plans";
            categories.add(category);
            seen.merge(category, 1, Integer::sum);
        }
        Chart c = ScatterChart.builder().title("Accuracy against size of every evaluated plan")
                .xTitle("parameters (millions)").yTitle("exact-match accuracy (%)").points(x, y, categories).build();
        return new Figure("pareto", "Each point is a plan evaluated on the same items; up and to the left is better.",
                c, WIDTH, HEIGHT);
    }
}
