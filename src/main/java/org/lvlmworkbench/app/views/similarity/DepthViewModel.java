package org.lvlmworkbench.app.views.similarity;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleDoubleProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.beans.value.ObservableValue;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.compress.depth.DepthScores;
import org.lvlmworkbench.core.compress.depth.LayerDrops;
import org.lvlmworkbench.core.compress.depth.SlidingWindowMerge;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.compress.plan.ModelShape;

/**
 * The depth controls of the Layer similarity view: merging a range of decoder layers (picked on the
 * CKA map or typed) with RDSC; dropping blocks, attention or MLP sub-layers per layer, shown beside
 * ShortGPT's Block Influence and LLM-Drop's importances measured on the calibration items; and two
 * suggestions that add to the plan: SLM's sliding-window merge at a threshold, and ShortGPT's n
 * lowest-influence blocks. Heavy work runs on the session's worker.
 */
public final class DepthViewModel {

    /** One decoder layer: its scores (NaN before they are measured) and what the plan does to it. */
    public record LayerRow(int layer, double blockInfluence, double attentionImportance, double mlpImportance,
            boolean droppedBlock, boolean droppedAttention, boolean droppedMlp, MergeGroup merge) {

        /** "merged 2..4" or "". */
        public String mergeText() {
            return merge == null ? "" : "merged " + merge.first() + ".." + merge.last();
        }
    }

    private final CompressionSession compression;
    private final ObservableValue<TokenSelection> tokens;
    private DepthScores scores;

    public final ObservableList<LayerRow> layers = FXCollections.observableArrayList();
    /** The range to merge, in decoder layers; -1 while none is picked. */
    public final IntegerProperty mergeFirst = new SimpleIntegerProperty(this, "mergeFirst", -1);
    public final IntegerProperty mergeLast = new SimpleIntegerProperty(this, "mergeLast", -1);
    public final ObjectProperty<MergeFormula> formula = new SimpleObjectProperty<>(this, "formula", MergeFormula.RDSC);
    public final StringProperty mergeText = new SimpleStringProperty(this, "mergeText", "Merge layers");
    public final BooleanBinding mergeDisabled;
    /** SLM's threshold: the cosine the merged model's last hidden state must keep. */
    public final DoubleProperty slmThreshold = new SimpleDoubleProperty(this, "slmThreshold",
            SlidingWindowMerge.DEFAULT_THRESHOLD);
    /** How many blocks ShortGPT's suggestion drops. */
    public final IntegerProperty dropCount = new SimpleIntegerProperty(this, "dropCount", 1);
    public final StringProperty scoresCaption = new SimpleStringProperty(this, "scoresCaption", "");
    public final StringProperty suggestionText = new SimpleStringProperty(this, "suggestionText", "");
    public final BooleanBinding disabled;

    /** @param tokens the positions depth scores and SLM compare (the view's token selection) */
    public DepthViewModel(CompressionSession compression, ObservableValue<TokenSelection> tokens) {
        this.compression = compression;
        this.tokens = tokens;
        disabled = Bindings.createBooleanBinding(() -> !compression.modelSession().readyProperty().get(),
                compression.modelSession().readyProperty());
        mergeDisabled = Bindings.createBooleanBinding(() -> disabled.get() || mergeFirst.get() < 0
                || mergeLast.get() <= mergeFirst.get(), disabled, mergeFirst, mergeLast);
        mergeFirst.addListener((obs, old, v) -> showMergeText());
        mergeLast.addListener((obs, old, v) -> showMergeText());
        formula.addListener((obs, old, f) -> showMergeText());
        compression.planProperty().addListener((obs, old, p) -> showLayers());
        compression.shapeProperty().addListener((obs, old, s) -> showLayers());
        tokens.addListener((obs, old, t) -> {
            if (scores != null && scores.selection() != t) {
                scores = null;
                showLayers();
            }
        });
        compression.modelSession().addModelListener(m -> {
            scores = null;
            mergeFirst.set(-1);
            mergeLast.set(-1);
            showLayers();
        });
        showMergeText();
        showLayers();
    }

    /** Why the plan refused the last change, or "". */
    public javafx.beans.property.ReadOnlyStringProperty notice() {
        return compression.noticeProperty();
    }

    // ---- merging a range ----

    /**
     * Takes the range from a selection on the decoder's CKA map, whose labels name layers ("embeddings",
     * "block 0" …): the blocks named in indices {@code from..to} of {@code labels}.
     */
    public void selectRange(List<String> labels, int from, int to) {
        int first = Integer.MAX_VALUE;
        int last = -1;
        for (int i = Math.max(0, Math.min(from, to)); i <= Math.min(labels.size() - 1, Math.max(from, to)); i++) {
            int block = blockOf(labels.get(i));
            if (block >= 0) {
                first = Math.min(first, block);
                last = Math.max(last, block);
            }
        }
        if (last < 0) {
            return;
        }
        mergeFirst.set(first);
        mergeLast.set(last);
    }

    /** The decoder layer a CKA label names ("block 3" → 3), or -1. */
    static int blockOf(String label) {
        if (label != null && label.startsWith("block ")) {
            try {
                return Integer.parseInt(label.substring(6).trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }
        return -1;
    }

    /** Adds the merge of {@link #mergeFirst}..{@link #mergeLast} to the plan (refused with a reason if it cannot apply). */
    public void merge() {
        int a = mergeFirst.get();
        int b = mergeLast.get();
        if (a < 0 || b <= a) {
            return;
        }
        MergeGroup g = new MergeGroup(a, b, formula.get());
        compression.edit(p -> p.withMerge(g));
    }

    private void showMergeText() {
        int a = mergeFirst.get();
        int b = mergeLast.get();
        mergeText.set(a < 0 || b <= a ? "Merge layers" : "Merge layers " + a + ".." + b);
    }

    // ---- drops ----

    /** Drops (or keeps) block {@code layer} whole; dropping it takes back any sub-layer drop of it. */
    public void setDropBlock(int layer, boolean drop) {
        compression.edit(p -> drop ? p.withDroppedLayer(layer, true).withDroppedAttention(layer, false)
                .withDroppedMlp(layer, false) : p.withDroppedLayer(layer, false));
    }

    public void setDropAttention(int layer, boolean drop) {
        compression.edit(p -> p.withDroppedAttention(layer, drop));
    }

    public void setDropMlp(int layer, boolean drop) {
        compression.edit(p -> p.withDroppedMlp(layer, drop));
    }

    // ---- scores and suggestions ----

    /** Measures Block Influence and LLM-Drop importance on the calibration items (once per token selection). */
    public Job<DepthScores> measureScores() {
        TokenSelection t = tokens.getValue();
        scoresCaption.set("Measuring depth scores on the calibration items (" + t.label() + ") …");
        return compression.compute("Depth scores · " + t.label(), (c, p) -> c.depthScores(t, p), s -> {
            if (s.selection() == tokens.getValue()) {
                scores = s;
                showLayers();
            }
        });
    }

    /** Adds ShortGPT's {@link #dropCount} lowest-influence blocks (among those the plan keeps whole) to the plan. */
    public Job<CompressionPlan> suggestShortGpt() {
        TokenSelection t = tokens.getValue();
        int n = dropCount.get();
        CompressionPlan base = compression.plan();
        return compression.compute("ShortGPT · drop " + n + " block" + (n == 1 ? "" : "s"), (c, p) -> {
            DepthScores s = c.depthScores(t, p);
            return LayerDrops.shortGpt(base == null ? c.emptyPlan() : base, s, n);
        }, plan -> {
            if (compression.push(plan)) {
                List<Integer> added = new ArrayList<>(plan.droppedLayers());
                if (base != null) {
                    added.removeAll(base.droppedLayers());
                }
                suggestionText.set("ShortGPT (" + t.label() + "): dropped block" + (added.size() == 1 ? " " : "s ")
                        + added + ", the lowest Block Influence among the blocks the plan kept whole");
            }
        });
    }

    /** Adds SLM's sliding-window merges at {@link #slmThreshold} to the plan. */
    public Job<SlidingWindowMerge.Result> suggestSlm() {
        TokenSelection t = tokens.getValue();
        double threshold = slmThreshold.get();
        MergeFormula f = formula.get();
        CompressionPlan base = compression.plan();
        return compression.compute(String.format(Locale.ROOT, "SLM merge search · threshold %.2f", threshold),
                (c, p) -> c.slidingWindowMerge(base == null ? c.emptyPlan() : base, threshold, t, f, p), r -> {
                    List<MergeGroup> added = new ArrayList<>(r.plan().merges());
                    if (base != null) {
                        added.removeAll(base.merges());
                    }
                    long accepted = r.steps().stream().filter(SlidingWindowMerge.Step::accepted).count();
                    if (added.isEmpty()) {
                        suggestionText.set(String.format(Locale.ROOT, "SLM at %.2f: no window kept the last hidden "
                                + "state's cosine above the threshold (%d tried); nothing added", threshold,
                                r.steps().size()));
                    } else if (compression.push(r.plan())) {
                        suggestionText.set(String.format(Locale.ROOT, "SLM at %.2f: merged %s (%d of %d windows "
                                + "accepted)", threshold, added.stream().map(g -> g.first() + ".." + g.last()).toList(),
                                accepted, r.steps().size()));
                    }
                });
    }

    private void showLayers() {
        CompressionPlan plan = compression.plan();
        ModelShape shape = compression.shapeProperty().get();
        int n = shape != null ? shape.decoderLayers() : scores != null ? scores.layers() : 0;
        List<LayerRow> rows = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            rows.add(new LayerRow(l, score(scores == null ? null : scores.blockInfluence(), l),
                    score(scores == null ? null : scores.attentionImportance(), l),
                    score(scores == null ? null : scores.mlpImportance(), l),
                    plan != null && plan.droppedLayers().contains(l), plan != null && plan.droppedAttention().contains(l),
                    plan != null && plan.droppedMlp().contains(l), plan == null ? null : plan.mergeOf(l)));
        }
        layers.setAll(rows);
        scoresCaption.set(scores == null ? "BI (ShortGPT), attention and MLP importance (LLM-Drop): press Scores"
                : String.format(Locale.ROOT, "1 − cos on %d calibration item%s, %s; lowest change least",
                        scores.items(), scores.items() == 1 ? "" : "s", scores.selection().label()));
    }

    private static double score(double[] values, int layer) {
        return values == null || layer >= values.length ? Double.NaN : values[layer];
    }
}
