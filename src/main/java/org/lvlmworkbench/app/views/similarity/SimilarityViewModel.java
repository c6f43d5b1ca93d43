package org.lvlmworkbench.app.views.similarity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.widgets.HeatmapData;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.Numbers;
import org.lvlmworkbench.app.widgets.ProbeSource;
import org.lvlmworkbench.core.analysis.Analyses;
import org.lvlmworkbench.core.analysis.ResultCache;
import org.lvlmworkbench.core.analysis.similarity.CkaKernel;
import org.lvlmworkbench.core.analysis.similarity.CkaMatrix;
import org.lvlmworkbench.core.analysis.similarity.LayerInfluence;
import org.lvlmworkbench.core.analysis.similarity.SimilarityResult;
import org.lvlmworkbench.core.analysis.similarity.SimilaritySettings;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.render.ValueRange;

/**
 * State of the Layer similarity view: one run computes CKA between every pair of layers for both
 * towers, three token selections and two kernels, and ShortGPT's Block Influence per decoder block;
 * the selectors then only pick which matrix is shown. A clicked cell names both layers, their CKA and
 * each one's Block Influence.
 */
public final class SimilarityViewModel {

    public static final String TEXT = "text";
    public static final String VISION = "vision";
    static final int DEFAULT_ITEMS = 12;
    static final String PICK_A_CELL = "Click a cell to compare its two layers.";

    private final ModelSession session;
    private final ResultCache cache;
    private Job<SimilarityResult> lastRun;

    public final ProbeSource source;
    /** The towers the last result has matrices for ({@link #TEXT}, {@link #VISION}). */
    public final ObservableList<String> towers = FXCollections.observableArrayList(TEXT, VISION);
    public final StringProperty tower = new SimpleStringProperty(this, "tower", TEXT);
    /** The decoder positions compared; the vision tower has image tokens only, whatever this says. */
    public final ObjectProperty<TokenSelection> tokens = new SimpleObjectProperty<>(this, "tokens", TokenSelection.ALL);
    public final ObjectProperty<CkaKernel> kernel = new SimpleObjectProperty<>(this, "kernel", CkaKernel.LINEAR);
    public final ObjectProperty<SimilarityResult> result = new SimpleObjectProperty<>(this, "result");
    /** The matrix the selectors pick, layers × layers, CKA in [0, 1]. */
    public final ObjectProperty<HeatmapData> matrix = new SimpleObjectProperty<>(this, "matrix", HeatmapData.EMPTY);
    public final StringProperty matrixCaption = new SimpleStringProperty(this, "matrixCaption",
            "Run to compare every pair of layers.");
    public final StringProperty cellDetail = new SimpleStringProperty(this, "cellDetail", PICK_A_CELL);
    public final ObjectProperty<List<LineChartView.Series>> influence = new SimpleObjectProperty<>(this, "influence",
            List.of());
    public final StringProperty influenceCaption = new SimpleStringProperty(this, "influenceCaption", "");
    /** The token selector means nothing for the vision tower. */
    public final BooleanBinding selectionFixed;
    public final BooleanBinding runDisabled;
    /** Merging, dropping and the depth suggestions, which edit the shared plan. */
    public final DepthViewModel depth;

    /** With a compression session of its own (tests of the analysis alone). */
    public SimilarityViewModel(ModelSession session, Path evalFile, ResultCache cache) {
        this(session, evalFile, cache, new CompressionSession(session, evalFile));
    }

    public SimilarityViewModel(ModelSession session, Path evalFile, ResultCache cache, CompressionSession compression) {
        this.session = session;
        this.cache = cache;
        this.source = new ProbeSource(evalFile, DEFAULT_ITEMS);
        runDisabled = Bindings.createBooleanBinding(() -> session.busyProperty().get() || !session.readyProperty().get(),
                session.busyProperty(), session.readyProperty());
        selectionFixed = tower.isEqualTo(VISION);
        tower.addListener((obs, old, t) -> showMatrix());
        tokens.addListener((obs, old, t) -> showMatrix());
        kernel.addListener((obs, old, k) -> showMatrix());
        session.addModelListener(m -> show(null));
        depth = new DepthViewModel(compression, tokens);
    }

    /** Runs the analysis (or reads it from the cache) on the probe source. */
    public Job<SimilarityResult> run() {
        LoadedModel m = session.model();
        if (m == null) {
            throw new IllegalStateException("no model is open");
        }
        ProbeSource.Spec spec = source.spec();
        show(null);
        // The estimate so far is shown as minibatches complete, so the matrices fill in while the run goes on.
        lastRun = session.<SimilarityResult, SimilarityResult>stream("Layer similarity · " + spec.describe(),
                (progress, publish) -> {
                    progress.update(Double.NaN, "Reading the probe set …");
                    return Analyses.similarity(m, spec.build(), SimilaritySettings.defaults(), cache, progress,
                            publish::accept);
                }, this::show, this::show);
        return lastRun;
    }

    public Job<SimilarityResult> lastRun() {
        return lastRun;
    }

    /** The token selection of the shown matrix: the vision tower has image tokens only. */
    public TokenSelection effectiveTokens() {
        return VISION.equals(tower.get()) ? TokenSelection.IMAGE : tokens.get();
    }

    /** The matrix the selectors pick, or null (no result, or none for that tower). */
    public CkaMatrix currentMatrix() {
        SimilarityResult r = result.get();
        return r == null ? null : r.matrix(tower.get(), effectiveTokens(), kernel.get());
    }

    /** Names both layers of cell {@code (row, col)}, their CKA, and each one's Block Influence. */
    public void selectCell(int row, int col) {
        CkaMatrix m = currentMatrix();
        if (m == null || row < 0 || col < 0 || row >= m.labels().size() || col >= m.labels().size()) {
            return;
        }
        String head = m.labels().get(row) + " × " + m.labels().get(col) + ": CKA "
                + Numbers.compact(m.values()[row][col]) + " (" + m.kernel().name().toLowerCase(Locale.ROOT) + ", "
                + m.tower() + " tower, " + m.tokens().label() + ")";
        cellDetail.set(head + "\n" + influenceOf(m, row) + "\n" + influenceOf(m, col));
    }

    /** One layer's Block Influence under the shown selection: what dropping that block would lose. */
    private String influenceOf(CkaMatrix m, int layer) {
        String name = m.labels().get(layer);
        if (layer == 0) {
            return name + ": not a block (no Block Influence)";
        }
        if (!TEXT.equals(m.tower())) {
            return name + ": Block Influence is measured on decoder blocks only";
        }
        LayerInfluence li = result.get().influence().stream().filter(i -> i.tokens() == m.tokens()).findFirst()
                .orElse(null);
        if (li == null || layer - 1 >= li.influence().length) {
            return name + ": no Block Influence for " + m.tokens().label();
        }
        return name + ": Block Influence " + Numbers.compact(li.influence()[layer - 1]) + " on " + m.tokens().label()
                + " (1 − cos between its input and output)";
    }

    private void show(SimilarityResult r) {
        result.set(r);
        if (r == null) {
            influence.set(List.of());
            influenceCaption.set("");
        } else {
            towers.setAll(r.cka().stream().map(CkaMatrix::tower).distinct().toList());
            if (!towers.contains(tower.get())) {
                tower.set(towers.isEmpty() ? TEXT : towers.get(0));
            }
            influence.set(influenceSeries(r));
            influenceCaption.set("Block Influence = mean over tokens of 1 − cos(block input, block output); the "
                    + "lowest blocks change the stream least (ShortGPT drops those first). \"1 − cos, last token\": the "
                    + "same at the last prompt position only, whose state predicts the answer.");
        }
        showMatrix();
    }

    private void showMatrix() {
        cellDetail.set(PICK_A_CELL);
        CkaMatrix m = currentMatrix();
        if (m == null) {
            matrix.set(HeatmapData.EMPTY);
            matrixCaption.set(result.get() == null ? "Run to compare every pair of layers."
                    : "No " + tower.get() + " matrix for " + effectiveTokens().label() + " in this result.");
            return;
        }
        matrix.set(new HeatmapData(m.values(), m.labels(), m.labels(), "CKA", "", new ValueRange(0, 1), List.of()));
        matrixCaption.set(String.format(Locale.ROOT, "CKA (%s, unbiased) between the %s layers · %s · %,d tokens in %d "
                + "minibatch%s", m.kernel().name().toLowerCase(Locale.ROOT), m.tower(), m.tokens().label(), m.examples(),
                m.minibatches(), m.minibatches() == 1 ? "" : "es"));
    }

    private static List<LineChartView.Series> influenceSeries(SimilarityResult r) {
        List<LineChartView.Series> out = new ArrayList<>();
        for (LayerInfluence i : r.influence()) {
            out.add(series(i.tokens().label(), i.influence()));
        }
        if (!r.influence().isEmpty()) {
            double[] last = r.influence().get(0).lastTokenCosine();
            double[] oneMinus = new double[last.length];
            for (int b = 0; b < last.length; b++) {
                oneMinus[b] = 1 - last[b];
            }
            out.add(series("1 − cos, last token", oneMinus));
        }
        return out;
    }

    private static LineChartView.Series series(String name, double[] perBlock) {
        double[] x = new double[perBlock.length];
        List<String> labels = new ArrayList<>();
        for (int b = 0; b < x.length; b++) {
            x[b] = b;
            labels.add("block " + b);
        }
        return new LineChartView.Series(name, x, perBlock, labels);
    }
}
