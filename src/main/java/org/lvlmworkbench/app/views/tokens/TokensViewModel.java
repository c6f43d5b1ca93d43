package org.lvlmworkbench.app.views.tokens;

import org.lvlmworkbench.core.analysis.tokens.KeptPatches;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javafx.beans.Observable;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.ProbeRuns;
import org.lvlmworkbench.app.widgets.ProbeSource;
import org.lvlmworkbench.core.analysis.Analyses;
import org.lvlmworkbench.core.analysis.ResultCache;
import org.lvlmworkbench.core.analysis.probe.TokenInfo;
import org.lvlmworkbench.core.analysis.probe.TokenKind;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.analysis.tokens.ItemTokenImportance;
import org.lvlmworkbench.core.analysis.tokens.TokenImportanceResult;
import org.lvlmworkbench.core.analysis.tokens.VisualTokenSettings;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.PatchGrid;

/**
 * State of the Visual tokens view: the probe items as they finish, and for the selected one a value
 * per image patch over the image the vision tower saw: the head-mean attention of one decoder layer
 * from a chosen query position, one head's attention from the answer position, attention rollout
 * from the query, or FastV's score. The query is picked from the item's text tokens (by default the
 * position that predicts the answer).
 */
public final class TokensViewModel {

    /** What the patches show. */
    public enum Mode {
        HEAD_MEAN("head mean"),
        ONE_HEAD("one head"),
        ROLLOUT("rollout"),
        FASTV("FastV score"),
        PRUNED("kept by pruning");

        private final String label;

        Mode(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * One text position that can be the query.
     *
     * @param answerQuery the position whose output predicts the first answer token
     */
    public record QueryToken(int position, String text, TokenKind kind, boolean answerQuery) {
    }

    static final int DEFAULT_ITEMS = 8;

    private final ModelSession session;
    private final ResultCache cache;
    private Job<TokenImportanceResult> lastRun;

    public final ProbeSource source;
    public final ObservableList<ItemTokenImportance> items = FXCollections.observableArrayList();
    public final ObjectProperty<ItemTokenImportance> selected = new SimpleObjectProperty<>(this, "selected");
    public final ObjectProperty<Mode> mode = new SimpleObjectProperty<>(this, "mode", Mode.HEAD_MEAN);
    /** Decoder layer, 0-based (head mean and one head). */
    public final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", 0);
    /** Attention head (one head). */
    public final IntegerProperty head = new SimpleIntegerProperty(this, "head", 0);
    /** FastV's K: its score reads layer K − 1 from the answer position. */
    public final IntegerProperty fastVK = new SimpleIntegerProperty(this, "fastVK",
            VisualTokenSettings.defaults().fastVLayer());
    /** The query's position in the item's token table (head mean and rollout), -1 without an item. */
    public final IntegerProperty queryPosition = new SimpleIntegerProperty(this, "queryPosition", -1);
    /** Decoder layers and heads of the selected item's model, 0 without one. */
    public final IntegerProperty layers = new SimpleIntegerProperty(this, "layers", 0);
    public final IntegerProperty heads = new SimpleIntegerProperty(this, "heads", 0);
    public final ObservableList<QueryToken> queryTokens = FXCollections.observableArrayList();
    /** The selected item's image as the tower saw it, and its patch grid; null without an item. */
    public final ObjectProperty<PatchGrid> grid = new SimpleObjectProperty<>(this, "grid");
    /** {@code [rows][cols]} of {@link #grid}: the shown value per patch; null without an item. */
    public final ObjectProperty<double[][]> overlay = new SimpleObjectProperty<>(this, "overlay");
    public final StringProperty valueLabel = new SimpleStringProperty(this, "valueLabel", "attention weight");
    /** A fixed colour range for the overlay, or null for the values' own. */
    public final ObjectProperty<org.lvlmworkbench.core.render.ValueRange> overlayRange = new SimpleObjectProperty<>(this,
            "overlayRange");
    /** What a patch without a value means in the shown mode, or null ("no value"). */
    public final StringProperty noValueText = new SimpleStringProperty(this, "noValueText");
    public final StringProperty caption = new SimpleStringProperty(this, "caption", "");
    /** Per decoder layer, the share of the query's head-mean attention that goes to image tokens. */
    public final ObjectProperty<List<LineChartView.Series>> imageShare = new SimpleObjectProperty<>(this, "imageShare",
            List.of());
    /** The shown layer on {@link #imageShare}'s axis, when the mode reads one layer. */
    public final ObjectProperty<List<LineChartView.Marker>> shareMarkers = new SimpleObjectProperty<>(this,
            "shareMarkers", List.of());
    /** Which controls the mode reads. */
    public final BooleanBinding layerUsed;
    public final BooleanBinding headUsed;
    public final BooleanBinding queryUsed;
    public final BooleanBinding fastVUsed;
    public final BooleanBinding runDisabled;
    /** Visual-token pruning: the policy's controls, its preview on the selected item, and the plan. */
    public final PruningViewModel pruning;

    /** With a compression session of its own (tests of the analysis alone). */
    public TokensViewModel(ModelSession session, Path evalFile, ResultCache cache) {
        this(session, evalFile, cache, new CompressionSession(session, evalFile));
    }

    public TokensViewModel(ModelSession session, Path evalFile, ResultCache cache, CompressionSession compression) {
        this.session = session;
        this.cache = cache;
        this.source = new ProbeSource(evalFile, DEFAULT_ITEMS);
        runDisabled = Bindings.createBooleanBinding(() -> session.busyProperty().get() || !session.readyProperty().get(),
                session.busyProperty(), session.readyProperty());
        layerUsed = mode.isEqualTo(Mode.HEAD_MEAN).or(mode.isEqualTo(Mode.ONE_HEAD));
        headUsed = mode.isEqualTo(Mode.ONE_HEAD);
        queryUsed = mode.isEqualTo(Mode.HEAD_MEAN).or(mode.isEqualTo(Mode.ROLLOUT));
        fastVUsed = mode.isEqualTo(Mode.FASTV);
        pruning = new PruningViewModel(session, compression);
        selected.addListener((obs, old, item) -> {
            showItem();
            if (mode.get() == Mode.PRUNED) {
                previewPruning();
            }
        });
        for (Observable o : List.of(mode, layer, head, fastVK, queryPosition, pruning.preview)) {
            o.addListener(x -> showOverlay());
        }
        session.addModelListener(m -> clear());
    }

    /** Runs the analysis on the probe source; items appear as they finish (from the cache when run before). */
    public Job<TokenImportanceResult> run() {
        LoadedModel m = session.model();
        if (m == null) {
            throw new IllegalStateException("no model is open");
        }
        ProbeSource.Spec spec = source.spec();
        clear();
        lastRun = session.<TokenImportanceResult, ItemTokenImportance>stream("Visual tokens · " + spec.describe(),
                (progress, publish) -> {
                    progress.update(Double.NaN, "Reading the probe set …");
                    return Analyses.tokens(m, spec.build(), VisualTokenSettings.defaults(), cache, progress,
                            publish::accept);
                }, this::addItem, r -> { });
        return lastRun;
    }

    /** Runs the selected item under the pruning policy; the overlay then shows the patches it keeps. */
    public Job<PruningViewModel.Preview> previewPruning() {
        ItemTokenImportance item = selected.get();
        Job<PruningViewModel.Preview> job = pruning.preview(item == null ? null : item.run().item(),
                item == null ? null : item.run().table());
        if (job != null) {
            mode.set(Mode.PRUNED);
        }
        return job;
    }

    public Job<TokenImportanceResult> lastRun() {
        return lastRun;
    }

    /** The item list's line: "✓ what shape is red?  → circle". */
    public static String itemText(ItemTokenImportance item) {
        return ProbeRuns.line(item.run());
    }

    /** The read-out name of patch {@code (row, col)}: its place and its position in the sequence. */
    public String patchLabel(int row, int col) {
        ItemTokenImportance item = selected.get();
        if (item == null) {
            return "";
        }
        int index = imageIndex(item, row, col);
        return index < 0 ? "patch (" + row + ", " + col + ")"
                : String.format(Locale.ROOT, "patch (%d, %d) · position %d", row, col, item.imagePositions()[index]);
    }

    private void clear() {
        items.clear();
        selected.set(null);
    }

    private void addItem(ItemTokenImportance item) {
        items.add(item);
        if (selected.get() == null) {
            selected.set(item);
        }
    }

    private void showItem() {
        ItemTokenImportance item = selected.get();
        if (item == null) {
            queryTokens.clear();
            layers.set(0);
            heads.set(0);
            grid.set(null);
            queryPosition.set(-1);
            overlay.set(null);
            caption.set("");
            imageShare.set(List.of());
            shareMarkers.set(List.of());
            return;
        }
        TokenTable table = item.run().table();
        // The grid first: every listener below redraws the overlay over it.
        grid.set(table.grids().isEmpty() ? null : table.grids().get(0));
        List<QueryToken> queries = new ArrayList<>();
        for (int p : item.queryPositions()) {
            TokenInfo t = table.get(p);
            queries.add(new QueryToken(p, t.text(), t.kind(), p == item.answerQuery()));
        }
        queryTokens.setAll(queries);
        boolean first = layers.get() == 0;
        int layerCount = item.headMean().length;
        layers.set(layerCount);
        heads.set(layerCount == 0 ? 0 : item.perHead()[0].length);
        // The middle layer first, as the command line's chart; later items keep the user's choice.
        layer.set(first ? layerCount / 2 : Math.min(layer.get(), layerCount - 1));
        head.set(Math.min(head.get(), Math.max(0, heads.get() - 1)));
        fastVK.set(Math.max(1, Math.min(fastVK.get(), layerCount)));
        queryPosition.set(item.answerQuery());
        showOverlay();
    }

    private void showOverlay() {
        ItemTokenImportance item = selected.get();
        PatchGrid g = grid.get();
        if (item == null || g == null || layers.get() == 0) {
            overlay.set(null);
            return;
        }
        int answerRow = item.queryIndex(item.answerQuery());
        int queryRow = item.queryIndex(queryPosition.get());
        if (queryRow < 0) {
            queryRow = answerRow;
        }
        int l = Math.max(0, Math.min(layer.get(), layers.get() - 1));
        int h = Math.max(0, Math.min(head.get(), heads.get() - 1));
        int k = Math.max(1, Math.min(fastVK.get(), layers.get()));
        if (mode.get() == Mode.PRUNED) {
            showPruned(item, g);
            return;
        }
        overlayRange.set(null);
        noValueText.set(null);
        String from = "from " + queryName(item, queryRow);
        String fromAnswer = "from " + queryName(item, answerRow);
        float[] values;
        String what;
        switch (mode.get()) {
            case ONE_HEAD -> {
                values = item.perHead()[l][h];
                what = "block " + l + " · head " + h + " · " + fromAnswer + " (one head is kept at the answer position only)";
            }
            case ROLLOUT -> {
                values = item.rollout()[queryRow];
                what = "attention rollout through all blocks · " + from;
            }
            case PRUNED -> throw new IllegalStateException("shown by showPruned");
            case FASTV -> {
                values = item.fastV(k);
                what = "FastV (K = " + k + "): block " + (k - 1) + "'s head-mean attention " + fromAnswer
                        + "; FastV keeps the highest";
            }
            default -> {
                values = item.headMean()[l][queryRow];
                what = "block " + l + " · head mean · " + from;
            }
        }
        valueLabel.set(mode.get() == Mode.ROLLOUT ? "rollout weight" : "attention weight");
        double[][] cells = new double[g.rows()][g.cols()];
        for (double[] row : cells) {
            Arrays.fill(row, Double.NaN);
        }
        double sum = 0;
        TokenTable table = item.run().table();
        for (int i = 0; i < item.imagePositions().length; i++) {
            TokenInfo t = table.get(item.imagePositions()[i]);
            sum += values[i];
            if (t.image() == 0 && t.row() >= 0) {
                cells[t.row()][t.col()] = values[i];
            }
        }
        overlay.set(cells);
        imageShare.set(List.of(shareSeries(item, queryUsed.get() ? queryRow : answerRow)));
        int markedLayer = switch (mode.get()) {
            case HEAD_MEAN, ONE_HEAD -> l;
            case FASTV -> k - 1;
            case ROLLOUT, PRUNED -> -1;
        };
        shareMarkers.set(markedLayer < 0 ? List.of() : List.of(new LineChartView.Marker(markedLayer, "shown")));
        caption.set(what + " · the image tokens get " + String.format(Locale.ROOT, "%.0f %%", 100 * sum)
                + (mode.get() == Mode.ROLLOUT ? " of the rollout" : " of this query's attention"));
    }

    /**
     * The pruning preview over the image: each patch coloured by the layer from which it is gone, the
     * kept ones by the number of layers; the chart shows the image tokens each layer sees.
     */
    private void showPruned(ItemTokenImportance item, PatchGrid g) {
        PruningViewModel.Preview p = pruning.preview.get();
        if (p == null || !p.item().equals(item.run().item())) {
            overlay.set(null);
            imageShare.set(List.of());
            shareMarkers.set(List.of());
            caption.set("Preview the pruning (below) to see which patches this item keeps.");
            return;
        }
        KeptPatches k = p.patches();
        // Kept patches stay clear over the image; removed ones are shaded by the layer they leave at.
        int n = k.perLayer().length;
        double[][] cells = new double[k.cells().length][];
        for (int r = 0; r < cells.length; r++) {
            cells[r] = k.cells()[r].clone();
            for (int c = 0; c < cells[r].length; c++) {
                if (cells[r][c] >= n) {
                    cells[r][c] = Double.NaN;
                }
            }
        }
        valueLabel.set("gone from layer");
        overlayRange.set(new org.lvlmworkbench.core.render.ValueRange(0, n));
        noValueText.set("kept to the end");
        overlay.set(cells.length == g.rows() ? cells : null);
        double[] x = new double[k.perLayer().length];
        double[] y = new double[x.length];
        List<String> labels = new ArrayList<>();
        for (int l = 0; l < x.length; l++) {
            x[l] = l;
            y[l] = k.perLayer()[l];
            labels.add("block " + l);
        }
        imageShare.set(List.of(new LineChartView.Series("image tokens in the sequence", x, y, labels)));
        List<LineChartView.Marker> marks = new ArrayList<>();
        for (var stage : p.policy().stages()) {
            marks.add(new LineChartView.Marker(stage.layer(), "prune"));
        }
        shareMarkers.set(marks);
        caption.set(p.policy().describe() + " · " + k.kept() + " of " + k.imageTokens() + " image tokens kept to the "
                + "end (clear); the others are shaded by the layer from which they are gone");
    }

    /** Per layer, how much of the query's head-mean attention lands on image tokens (the rest is on text). */
    private static LineChartView.Series shareSeries(ItemTokenImportance item, int queryRow) {
        int n = item.headMean().length;
        double[] x = new double[n];
        double[] y = new double[n];
        List<String> labels = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            x[l] = l;
            for (float v : item.headMean()[l][queryRow]) {
                y[l] += v;
            }
            labels.add("block " + l);
        }
        String name = "image tokens' share, from ‘" + item.run().table().get(item.queryPositions()[queryRow]).text() + "’";
        return new LineChartView.Series(name, x, y, labels);
    }

    private static String queryName(ItemTokenImportance item, int queryRow) {
        int position = item.queryPositions()[queryRow];
        String text = "‘" + item.run().table().get(position).text() + "’ (position " + position;
        return text + (position == item.answerQuery() ? ", predicts the answer)" : ")");
    }

    /** Index among the image tokens of the first image's patch {@code (row, col)}, or -1. */
    private static int imageIndex(ItemTokenImportance item, int row, int col) {
        TokenTable table = item.run().table();
        for (int i = 0; i < item.imagePositions().length; i++) {
            TokenInfo t = table.get(item.imagePositions()[i]);
            if (t.image() == 0 && t.row() == row && t.col() == col) {
                return i;
            }
        }
        return -1;
    }
}
