package org.lvlmworkbench.app.views.evolution;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.widgets.HeatmapData;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.Numbers;
import org.lvlmworkbench.app.widgets.ProbeRuns;
import org.lvlmworkbench.app.widgets.ProbeSource;
import org.lvlmworkbench.app.widgets.ScatterView;
import org.lvlmworkbench.core.analysis.Analyses;
import org.lvlmworkbench.core.analysis.ResultCache;
import org.lvlmworkbench.core.analysis.evolution.EvolutionResult;
import org.lvlmworkbench.core.analysis.evolution.EvolutionSettings;
import org.lvlmworkbench.core.analysis.evolution.EvolutionSummary;
import org.lvlmworkbench.core.analysis.evolution.ItemEvolution;
import org.lvlmworkbench.core.analysis.evolution.LayerPca;
import org.lvlmworkbench.core.analysis.evolution.LayerPrediction;
import org.lvlmworkbench.core.analysis.evolution.LensMode;
import org.lvlmworkbench.core.analysis.evolution.PositionEvolution;
import org.lvlmworkbench.core.analysis.probe.ProbeRun;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.render.ValueRange;

/**
 * State of the Knowledge evolution view: the probe items as they finish (prompt → answer, right or
 * wrong), the selected item's followed positions through the layers (JS divergence between
 * consecutive layers, or the probability of the emitted token, with the critical and mutation
 * boundaries), the top tokens of a clicked cell's layer, and, once the run ends, the probe set's
 * median curves, warnings and the PCA of the answer position's hidden states per layer.
 */
public final class EvolutionViewModel {

    /** What a cell of the item heatmap holds. */
    public enum CellMode {
        DIVERGENCE("JS divergence to the next layer"),
        PROBABILITY("p(emitted token) at each layer");

        private final String label;

        CellMode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One of a clicked layer's most likely next tokens.
     *
     * @param role "emitted", "expected", "emitted, expected" or ""
     */
    public record TopToken(int rank, String text, double probability, String role) {
    }

    /**
     * The PCA of one lens entry as the scatter shows it.
     *
     * @param points one per item that reached its first answer token, coloured by answer
     */
    public record PcaPlot(List<ScatterView.Point> points, String xLabel, String yLabel, String caption) {

        static final PcaPlot EMPTY = new PcaPlot(List.of(), "", "", "");
    }

    static final int DEFAULT_ITEMS = 12;
    static final String PICK_A_CELL = "Click a cell to see that layer's top tokens at that position.";
    /** What a row shows for the end of the answer (the end-of-sequence token has no text). */
    static final String END = "(end)";
    static final String NO_RESULT = "Run to see the median curves over the probe set.";

    private final ModelSession session;
    private final ResultCache cache;
    private Job<EvolutionResult> lastRun;
    private int[] selectedCell;

    public final ProbeSource source;
    public final ObjectProperty<LensMode> lens = new SimpleObjectProperty<>(this, "lens", LensMode.NORMED);
    public final BooleanProperty promptPositions = new SimpleBooleanProperty(this, "promptPositions", false);
    public final ObjectProperty<CellMode> cellMode = new SimpleObjectProperty<>(this, "cellMode", CellMode.DIVERGENCE);
    /** Items in the order they finished (the probe set's order). */
    public final ObservableList<ItemEvolution> items = FXCollections.observableArrayList();
    public final ObjectProperty<ItemEvolution> selected = new SimpleObjectProperty<>(this, "selected");
    /** Rows: the selected item's followed positions; columns: transitions or lens entries (see {@link #cellMode}). */
    public final ObjectProperty<HeatmapData> itemMap = new SimpleObjectProperty<>(this, "itemMap", HeatmapData.EMPTY);
    public final StringProperty itemCaption = new SimpleStringProperty(this, "itemCaption", "");
    public final StringProperty cellTitle = new SimpleStringProperty(this, "cellTitle", PICK_A_CELL);
    public final StringProperty cellSummary = new SimpleStringProperty(this, "cellSummary", "");
    public final ObservableList<TopToken> topTokens = FXCollections.observableArrayList();
    public final ObjectProperty<EvolutionResult> result = new SimpleObjectProperty<>(this, "result");
    public final ObjectProperty<List<LineChartView.Series>> curves = new SimpleObjectProperty<>(this, "curves", List.of());
    public final ObjectProperty<List<LineChartView.Marker>> curveMarkers =
            new SimpleObjectProperty<>(this, "curveMarkers", List.of());
    public final StringProperty aggregateText = new SimpleStringProperty(this, "aggregateText", NO_RESULT);
    public final ObservableList<String> warnings = FXCollections.observableArrayList();
    /** Lens entries of the last result (embeddings plus one per block), 0 before one. */
    public final IntegerProperty entries = new SimpleIntegerProperty(this, "entries", 0);
    /** The lens entry whose PCA is shown. */
    public final IntegerProperty pcaEntry = new SimpleIntegerProperty(this, "pcaEntry", 0);
    public final ObjectProperty<PcaPlot> pca = new SimpleObjectProperty<>(this, "pca", PcaPlot.EMPTY);
    /** Run is impossible: no model, or a job runs or waits. */
    public final BooleanBinding runDisabled;

    /** @param evalFile the evaluation file offered first (its first {@value #DEFAULT_ITEMS} questions) */
    public EvolutionViewModel(ModelSession session, Path evalFile, ResultCache cache) {
        this.session = session;
        this.cache = cache;
        this.source = new ProbeSource(evalFile, DEFAULT_ITEMS);
        runDisabled = Bindings.createBooleanBinding(() -> session.busyProperty().get() || !session.readyProperty().get(),
                session.busyProperty(), session.readyProperty());
        selected.addListener((obs, old, item) -> showItem());
        cellMode.addListener((obs, old, mode) -> showItem());
        pcaEntry.addListener((obs, old, entry) -> showPca());
        // The lens and the prompt positions change what is computed: a shown result is recomputed with them.
        lens.addListener((obs, old, mode) -> rerun());
        promptPositions.addListener((obs, old, on) -> rerun());
        session.addModelListener(m -> clear());
    }

    /** The settings a run uses now: the analysis defaults with this view's lens and prompt positions. */
    public EvolutionSettings settings() {
        EvolutionSettings d = EvolutionSettings.defaults();
        return new EvolutionSettings(lens.get(), d.topK(), d.maxNewTokens(), promptPositions.get(), d.stages());
    }

    /** Runs the analysis on the probe source; items appear as they finish (from the cache when run before). */
    public Job<EvolutionResult> run() {
        LoadedModel m = session.model();
        if (m == null) {
            throw new IllegalStateException("no model is open");
        }
        ProbeSource.Spec spec = source.spec();
        EvolutionSettings settings = settings();
        clear();
        lastRun = session.<EvolutionResult, ItemEvolution>stream("Knowledge evolution · " + spec.describe(),
                (progress, publish) -> {
                    progress.update(Double.NaN, "Reading the probe set …");
                    return Analyses.evolution(m, spec.build(), settings, cache, progress, publish::accept);
                }, this::addItem, this::showResult);
        return lastRun;
    }

    /** The job of the last run, or null before one (a lens or prompt-position change starts one too). */
    public Job<EvolutionResult> lastRun() {
        return lastRun;
    }

    /** Shows a cell of {@link #itemMap}: the top tokens of its layer at its position. */
    public void selectCell(int row, int col) {
        ItemEvolution item = selected.get();
        if (item == null || row < 0 || row >= item.positions().size()) {
            return;
        }
        PositionEvolution p = item.positions().get(row);
        boolean divergence = cellMode.get() == CellMode.DIVERGENCE;
        int entry = divergence ? col + 1 : col;
        if (col < 0 || entry >= p.layers().size()) {
            return;
        }
        selectedCell = new int[] {row, col};
        LayerPrediction layer = p.layers().get(entry);
        String where = rowLabel(item.run(), p) + " · " + entryName(entry, p.layers().size());
        cellTitle.set(divergence
                ? where + " — transition " + EvolutionResult.transitionLabel(col) + ": JS "
                        + Numbers.compact(p.jsNext()[col]) + " bits"
                : where);
        List<TopToken> top = new ArrayList<>();
        String expectedText = "expected token";
        for (int i = 0; i < layer.topIds().length; i++) {
            long id = layer.topIds()[i];
            List<String> roles = new ArrayList<>();
            if (id == p.emittedId()) {
                roles.add("emitted");
            }
            if (id == p.expectedId()) {
                roles.add("expected");
                expectedText = "expected " + quote(layer.topTexts()[i]);
            }
            top.add(new TopToken(i + 1, layer.topTexts()[i], layer.topProbs()[i], String.join(", ", roles)));
        }
        topTokens.setAll(top);
        List<String> facts = new ArrayList<>();
        if (p.emittedId() >= 0) {
            TokenTable table = item.run().table();
            String next = p.position() + 1 < table.size() ? quote(table.get(p.position() + 1).text()) : END;
            facts.add((p.step() >= 0 ? "emitted " : "next ") + next
                    + ": p " + Numbers.compact(layer.emittedProb()) + ", rank " + layer.emittedRank());
        }
        if (p.expectedId() >= 0) {
            String answer = item.run().item().expected();
            boolean whole = expectedText.equals("expected " + quote(answer));
            facts.add(expectedText + (whole ? "" : " (of “" + answer + "”)") + ": p "
                    + Numbers.compact(layer.expectedProb()) + ", rank " + layer.expectedRank());
        }
        facts.add("entropy " + Numbers.compact(layer.entropyBits()) + " bits");
        cellSummary.set(String.join("  ·  ", facts));
    }

    /** {row, col} of the cell shown in the detail, or null. */
    public int[] selectedCell() {
        return selectedCell == null ? null : selectedCell.clone();
    }

    /** The item list's line: "✓ how many shapes are there?  → two". */
    public static String itemText(ItemEvolution item) {
        return ProbeRuns.line(item.run());
    }

    /** The label of a followed position: "answer 1: ‘two’", "answer 2: (end)", or for a prompt position "‘how’ → ‘many’". */
    static String rowLabel(ProbeRun run, PositionEvolution p) {
        TokenTable table = run.table();
        String next = p.position() + 1 < table.size() ? quote(table.get(p.position() + 1).text()) : END;
        return p.step() >= 0 ? "answer " + (p.step() + 1) + ": " + next
                : quote(table.get(p.position()).text()) + " → " + next;
    }


    private static String entryName(int entry, int entries) {
        return EvolutionResult.entryLabel(entry) + (entry == entries - 1 ? " (the model's output)" : "");
    }

    private static String quote(String token) {
        return "‘" + token + "’";
    }

    private void rerun() {
        if ((result.get() != null || !items.isEmpty()) && !runDisabled.get()) {
            run();
        }
    }

    private void clear() {
        items.clear();
        selected.set(null);
        result.set(null);
        curves.set(List.of());
        curveMarkers.set(List.of());
        aggregateText.set(NO_RESULT);
        warnings.clear();
        entries.set(0);
        pca.set(PcaPlot.EMPTY);
    }

    private void addItem(ItemEvolution item) {
        items.add(item);
        if (selected.get() == null) {
            selected.set(item);
        }
        aggregateText.set(items.size() + " item" + (items.size() == 1 ? "" : "s")
                + " done; the curves and the PCA follow when the run ends.");
    }

    private void showItem() {
        selectedCell = null;
        topTokens.clear();
        cellTitle.set(PICK_A_CELL);
        cellSummary.set("");
        ItemEvolution item = selected.get();
        if (item == null) {
            itemMap.set(HeatmapData.EMPTY);
            itemCaption.set("");
            return;
        }
        List<PositionEvolution> rows = item.positions();
        int entryCount = rows.isEmpty() ? 0 : rows.get(0).layers().size();
        boolean divergence = cellMode.get() == CellMode.DIVERGENCE;
        int cols = divergence ? entryCount - 1 : entryCount;
        double[][] values = new double[rows.size()][cols];
        List<String> rowLabels = new ArrayList<>();
        List<HeatmapView.Mark> marks = new ArrayList<>();
        for (int r = 0; r < rows.size(); r++) {
            PositionEvolution p = rows.get(r);
            rowLabels.add(rowLabel(item.run(), p));
            for (int c = 0; c < cols; c++) {
                values[r][c] = divergence ? p.jsNext()[c] : p.layers().get(c).emittedProb();
            }
            // A boundary sits before the transition it names: on that transition's cell, or between
            // the two entries it joins (the left edge of the later one).
            int shift = divergence ? 0 : 1;
            if (p.stages().critical() >= 0) {
                marks.add(new HeatmapView.Mark(r, p.stages().critical() + shift, "critical: stable from here", false));
            }
            if (p.stages().mutation() >= 0) {
                marks.add(new HeatmapView.Mark(r, p.stages().mutation() + shift, "mutation", true));
            }
        }
        List<String> columns = new ArrayList<>();
        for (int c = 0; c < cols; c++) {
            columns.add(divergence ? EvolutionResult.transitionLabel(c) : EvolutionResult.entryLabel(c));
        }
        itemMap.set(new HeatmapData(values, rowLabels, columns,
                divergence ? "JS divergence" : "p(emitted token)", divergence ? "bits" : "", new ValueRange(0, 1),
                marks));
        ProbeRun run = item.run();
        itemCaption.set("“" + run.item().prompt() + "” → " + run.answer().strip()
                + (run.item().expected() == null ? "" : "   (expected: " + run.item().expected() + ")")
                + "   ·   " + cellMode.get().label());
    }

    private void showResult(EvolutionResult r) {
        result.set(r);
        EvolutionSummary s = r.summary();
        int transitions = r.entries() - 1;
        double[] x = new double[transitions];
        List<String> transitionLabels = new ArrayList<>();
        for (int t = 0; t < transitions; t++) {
            x[t] = t;
            transitionLabels.add(EvolutionResult.transitionLabel(t));
        }
        double[] xe = new double[r.entries()];
        List<String> entryLabels = new ArrayList<>();
        for (int e = 0; e < r.entries(); e++) {
            xe[e] = e - 0.5; // entry e lies between transitions e−1 and e
            entryLabels.add(EvolutionResult.entryLabel(e));
        }
        curves.set(List.of(
                new LineChartView.Series("JS next", x, s.medianJsNext(), transitionLabels),
                new LineChartView.Series("25 %", x, s.lowerJsNext(), transitionLabels),
                new LineChartView.Series("75 %", x, s.upperJsNext(), transitionLabels),
                new LineChartView.Series("JS to output", xe, s.medianJsToFinal(), entryLabels),
                new LineChartView.Series("p(answer)", xe, s.medianAnswerProb(), entryLabels)));
        List<LineChartView.Marker> markers = new ArrayList<>();
        if (s.stages().critical() >= 0) {
            markers.add(new LineChartView.Marker(s.stages().critical(),
                    "critical " + EvolutionResult.transitionLabel(s.stages().critical())));
        }
        if (s.stages().mutation() >= 0) {
            markers.add(new LineChartView.Marker(s.stages().mutation(),
                    "mutation " + EvolutionResult.transitionLabel(s.stages().mutation())));
        }
        curveMarkers.set(markers);
        aggregateText.set(aggregate(r));
        warnings.setAll(r.warnings());
        entries.set(r.entries());
        int start = s.stages().critical() >= 0 ? Math.min(r.entries() - 1, s.stages().critical() + 1)
                : r.entries() - 1;
        if (pcaEntry.get() == start) {
            showPca();
        } else {
            pcaEntry.set(start);
        }
    }

    private static String aggregate(EvolutionResult r) {
        EvolutionSummary s = r.summary();
        long correct = r.items().stream().filter(i -> Boolean.TRUE.equals(i.run().correct())).count();
        long judged = r.items().stream().filter(i -> i.run().correct() != null).count();
        String critical = s.stages().critical() >= 0
                ? "critical transition " + EvolutionResult.transitionLabel(s.stages().critical()) : "never settles";
        String mutation = s.stages().mutation() >= 0
                ? "mutation at " + EvolutionResult.transitionLabel(s.stages().mutation()) : "no mutation";
        String own = Double.isNaN(s.criticalMedian()) ? ""
                : String.format(Locale.ROOT, " (items' own: median %s, quartiles %s–%s)", Numbers.compact(s.criticalMedian()),
                        Numbers.compact(s.criticalLower()), Numbers.compact(s.criticalUpper()));
        return "Medians over the items (25 % and 75 %: quartiles of JS next). "
                + r.items().size() + " items" + (judged == 0 ? "" : ", " + correct + " of " + judged + " right")
                + " · " + critical + own + " · " + mutation + " (" + s.itemsWithMutation()
                + (s.itemsWithMutation() == 1 ? " item has one" : " items have one") + ") · lens: "
                + r.settings().lens().description();
    }

    private void showPca() {
        EvolutionResult r = result.get();
        int entry = pcaEntry.get();
        if (r == null || entry < 0 || entry >= r.pca().size()) {
            pca.set(PcaPlot.EMPTY);
            return;
        }
        LayerPca p = r.pca().get(entry);
        // The PCA rows are the items that reached their first answer token, in order.
        List<ItemEvolution> with = r.items().stream().filter(i -> i.answerState() != null).toList();
        List<ScatterView.Point> points = new ArrayList<>();
        for (int i = 0; i < p.points().length; i++) {
            ItemEvolution item = with.get(i);
            points.add(new ScatterView.Point(p.points()[i][0], p.points()[i][1], p.labels().get(i), itemText(item)));
        }
        pca.set(new PcaPlot(points, String.format(Locale.ROOT, "PC1 (%.0f %% of variance)", 100 * p.explained()[0]),
                String.format(Locale.ROOT, "PC2 (%.0f %% of variance)", 100 * p.explained()[1]),
                "Hidden state at the first answer token, " + entryName(entry, r.entries()) + ", coloured by answer"));
    }
}
