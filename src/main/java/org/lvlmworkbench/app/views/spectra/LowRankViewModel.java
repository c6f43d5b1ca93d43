package org.lvlmworkbench.app.views.spectra;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
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
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.Numbers;
import org.lvlmworkbench.core.compress.Compressor;
import org.lvlmworkbench.core.compress.lowrank.Allocation;
import org.lvlmworkbench.core.compress.lowrank.Factorization;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.ModelShape;

/**
 * The low-rank controls of the Spectra view: for the selected weight, a method and a rank whose marks
 * (rank line, energy kept, predicted loss, parameters, "dense: no saving" past break-even) move with
 * the slider from arrays read once ({@link RankMarks}); the rank goes into the plan when the slider is
 * let go. A group slider sets every decoder matrix of one role to a keep fraction of its parameters;
 * an allocator spreads a target ratio over the decoder through {@code Compressor.allocate}.
 *
 * <p>Factorisations are computed on the session's worker (once: the compressor caches them); the
 * slider itself only reads the {@link RankMarks.Curve} of the factorisation in hand.
 */
public final class LowRankViewModel {

    /** The roles the group slider offers, decoder first. */
    static final List<String> DECODER_ROLES = List.of("q", "k", "v", "o", "gate", "up", "down");

    private final CompressionSession compression;
    private final ObservableValue<String> matrix;
    private Job<Factorization> loading;

    /** The method for ranks set from here; selecting a matrix the plan ranks shows the plan's. */
    public final ObjectProperty<LowRankMethod> method = new SimpleObjectProperty<>(this, "method", LowRankMethod.SVD_LLM);
    /** The selected matrix's factorisation arrays; null while none is in hand. */
    public final ObjectProperty<RankMarks.Curve> curve = new SimpleObjectProperty<>(this, "curve");
    /** The slider's position: 1..maxRank. */
    public final IntegerProperty rank = new SimpleIntegerProperty(this, "rank", 1);
    public final IntegerProperty maxRank = new SimpleIntegerProperty(this, "maxRank", 1);
    /** The marks at {@link #rank}, null without a curve. */
    public final ObjectProperty<RankMarks> marks = new SimpleObjectProperty<>(this, "marks");
    public final StringProperty readout = new SimpleStringProperty(this, "readout", "");
    /** Past break-even: the factors would not be smaller than the matrix. */
    public final BooleanProperty noSaving = new SimpleBooleanProperty(this, "noSaving", false);
    /** The rank line (and break-even) on the spectrum and energy charts. */
    public final ObjectProperty<List<LineChartView.Marker>> rankMarkers = new SimpleObjectProperty<>(this,
            "rankMarkers", List.of());
    /** "in the plan: rank 24 (svd-llm)" or "dense in the plan". */
    public final StringProperty planState = new SimpleStringProperty(this, "planState", "");

    public final ObservableList<String> roles = FXCollections.observableArrayList(DECODER_ROLES);
    public final StringProperty groupRole = new SimpleStringProperty(this, "groupRole", "q");
    /** Fraction of each matrix's parameters the group keeps, (0, 1]; 1 is dense. */
    public final DoubleProperty groupKeep = new SimpleDoubleProperty(this, "groupKeep", 1);
    public final StringProperty groupReadout = new SimpleStringProperty(this, "groupReadout", "");

    public final ObjectProperty<Allocation> allocation = new SimpleObjectProperty<>(this, "allocation", Allocation.UNIFORM);
    /** Fraction of the decoder's linear parameters to remove. */
    public final DoubleProperty targetRatio = new SimpleDoubleProperty(this, "targetRatio", 0.2);
    public final StringProperty allocationReadout = new SimpleStringProperty(this, "allocationReadout", "");
    public final BooleanBinding disabled;

    /** @param matrix the selected weight's checkpoint name, or null */
    public LowRankViewModel(CompressionSession compression, ObservableValue<String> matrix) {
        this.compression = compression;
        this.matrix = matrix;
        disabled = Bindings.createBooleanBinding(() -> !compression.modelSession().readyProperty().get(),
                compression.modelSession().readyProperty());
        matrix.addListener((obs, old, name) -> selectionChanged());
        method.addListener((obs, old, m) -> load());
        curve.addListener((obs, old, c) -> {
            maxRank.set(c == null ? 1 : Math.max(1, c.maxRank()));
            showMarks();
        });
        rank.addListener((obs, old, k) -> showMarks());
        compression.planProperty().addListener((obs, old, plan) -> {
            showPlanRank();
            showGroup();
        });
        groupRole.addListener((obs, old, r) -> showGroup());
        groupKeep.addListener((obs, old, k) -> showGroup());
        targetRatio.addListener((obs, old, r) -> showAllocationTarget());
        allocation.addListener((obs, old, a) -> showAllocationTarget());
        showGroup();
        showAllocationTarget();
    }

    /** Why the plan refused the last change, or "". */
    public javafx.beans.property.ReadOnlyStringProperty notice() {
        return compression.noticeProperty();
    }

    // ---- one matrix ----

    private void selectionChanged() {
        String name = matrix.getValue();
        CompressionPlan plan = compression.plan();
        MatrixRank inPlan = name == null || plan == null ? null : plan.ranks().get(name);
        if (inPlan != null && !inPlan.method().equals(method.get().jsonName())) {
            method.set(LowRankMethod.fromJson(inPlan.method())); // loads through the listener
        } else {
            load();
        }
    }

    /** Puts the selected matrix's factorisation in hand: from the cache at once, else computed on the worker. */
    private void load() {
        String name = matrix.getValue();
        LowRankMethod m = method.get();
        if (loading != null) {
            loading.cancel();
            loading = null;
        }
        if (name == null || compression.modelSession().model() == null) {
            curve.set(null);
            readout.set(name == null ? "Pick a weight to set its rank." : "");
            return;
        }
        Factorization cached = compression.cachedFactorization(name, m);
        if (cached != null) {
            show(cached);
            return;
        }
        curve.set(null);
        readout.set("Factorising " + shortName(name) + " (" + m.jsonName() + ") …");
        loading = compression.compute("Factorising " + shortName(name) + " · " + m.jsonName(),
                (Compressor c, org.lvlmworkbench.core.jobs.Progress p) -> c.factorization(name, m, p), f -> {
                    if (name.equals(matrix.getValue()) && m == method.get()) {
                        show(f);
                    }
                });
    }

    private void show(Factorization f) {
        RankMarks.Curve c = RankMarks.Curve.of(f);
        // The rank first: a curve enables the slider, which must then already show the plan's rank.
        String name = matrix.getValue();
        CompressionPlan plan = compression.plan();
        MatrixRank r = name == null || plan == null ? null : plan.ranks().get(name);
        rank.set(r == null ? c.maxRank() : Math.min(r.rank(), c.maxRank()));
        curve.set(c);
        showPlanRank();
    }

    /** The slider goes to the plan's rank for the matrix, or to the top (dense) when it has none. */
    private void showPlanRank() {
        String name = matrix.getValue();
        CompressionPlan plan = compression.plan();
        MatrixRank r = name == null || plan == null ? null : plan.ranks().get(name);
        RankMarks.Curve c = curve.get();
        planState.set(r == null ? "dense in the plan" : "in the plan: rank " + r.rank() + " (" + r.method() + ")");
        if (c != null) {
            rank.set(r == null ? c.maxRank() : Math.min(r.rank(), c.maxRank()));
        }
        showMarks();
    }

    private void showMarks() {
        RankMarks.Curve c = curve.get();
        if (c == null) {
            marks.set(null);
            noSaving.set(false);
            rankMarkers.set(List.of());
            return;
        }
        RankMarks m = RankMarks.of(c, rank.get());
        marks.set(m);
        readout.set(m.describe());
        noSaving.set(!m.saves());
        List<LineChartView.Marker> lines = new ArrayList<>(2);
        lines.add(new LineChartView.Marker(m.rank(), "rank " + m.rank()));
        if (m.breakEven() < m.maxRank() && Math.abs(m.breakEven() - m.rank()) > Math.max(2, m.maxRank() / 12)) {
            lines.add(new LineChartView.Marker(m.breakEven(), "break-even"));
        }
        rankMarkers.set(lines);
    }

    /**
     * Puts the slider's rank into the plan with the picked method; past break-even the matrix stays
     * dense (its rank is taken out of the plan).
     */
    public void commitRank() {
        String name = matrix.getValue();
        RankMarks m = marks.get();
        if (name == null || m == null) {
            return;
        }
        String methodName = curve.get().method();
        compression.edit(p -> m.saves() ? p.withRank(name, new MatrixRank(Math.max(1, m.rank()), methodName))
                : p.withoutRank(name));
    }

    // ---- a role across the decoder ----

    /** The decoder matrices of {@link #groupRole} that the plan keeps (not dropped, merged, or in a dropped sub-layer). */
    List<ModelShape.Matrix> groupMatrices() {
        ModelShape shape = compression.shapeProperty().get();
        CompressionPlan plan = compression.plan();
        if (shape == null || plan == null) {
            return List.of();
        }
        return shape.matrices().values().stream().filter(m -> m.component().equals("text")
                && m.role().equals(groupRole.get()) && inScope(plan, m)).toList();
    }

    /** As {@code Compressor.decoderScope}: what an allocation may factorise. */
    static boolean inScope(CompressionPlan plan, ModelShape.Matrix m) {
        return plan.keepsLayer(m.layer()) && plan.mergeOf(m.layer()) == null
                && !(m.inAttention() ? plan.droppedAttention() : plan.droppedMlp()).contains(m.layer());
    }

    private void showGroup() {
        List<ModelShape.Matrix> chosen = groupMatrices();
        if (chosen.isEmpty()) {
            groupReadout.set(compression.plan() == null ? "" : "no " + groupRole.get() + " matrix left in the decoder");
            return;
        }
        ModelShape.Matrix first = chosen.get(0);
        int k = RankMarks.rankForKeep(first.rows(), first.cols(), groupKeep.get());
        groupReadout.set(String.format(Locale.ROOT, "keep %.0f %% → %s (%d matrices, %d×%d)", 100 * groupKeep.get(),
                k < 0 ? "dense" : "rank " + k, chosen.size(), first.rows(), first.cols()));
    }

    /** Sets every matrix of the group to the keep fraction's rank (dense at 100 %), as one step to undo. */
    public void commitGroup() {
        List<ModelShape.Matrix> chosen = groupMatrices();
        if (chosen.isEmpty()) {
            return;
        }
        String methodName = method.get().jsonName();
        double keep = groupKeep.get();
        compression.edit(p -> {
            CompressionPlan out = p;
            for (ModelShape.Matrix m : chosen) {
                int k = RankMarks.rankForKeep(m.rows(), m.cols(), keep);
                out = k < 0 ? out.withoutRank(m.name()) : out.withRank(m.name(), new MatrixRank(k, methodName));
            }
            return out;
        });
    }

    // ---- allocation over the decoder ----

    private void showAllocationTarget() {
        allocationReadout.set(String.format(Locale.ROOT, "%s: remove %.0f %% of the decoder's linear parameters",
                allocation.get().jsonName(), 100 * targetRatio.get()));
    }

    /**
     * Sets every rank in the decoder's scope by the picked allocator so that it loses
     * {@link #targetRatio} of its parameters (on the worker; it factorises what is not cached yet).
     */
    public Job<Compressor.Allocated> allocate() {
        LowRankMethod m = method.get();
        Allocation a = allocation.get();
        double ratio = targetRatio.get();
        CompressionPlan base = compression.plan();
        return compression.compute(String.format(Locale.ROOT, "Allocating ranks · %s, %s, %.0f %% removed", a.jsonName(),
                m.jsonName(), 100 * ratio), (c, p) -> {
                    CompressionPlan start = base == null ? c.emptyPlan() : base;
                    return c.allocate(start, m, a, ratio, c.decoderScope(start), p);
                }, allocated -> {
                    compression.push(allocated.plan());
                    var r = allocated.allocation();
                    allocationReadout.set(String.format(Locale.ROOT, "%s, %s: %d matrices ranked, %s of %s parameters "
                            + "kept (budget %s), predicted loss %s", a.jsonName(), m.jsonName(),
                            (int) r.matrices().stream().filter(e -> !e.dense()).count(),
                            Numbers.compact(r.keptParameters()), Numbers.compact(r.totalParameters()),
                            Numbers.compact(r.budget()), Numbers.compact(r.predictedLoss())));
                    load();
                });
    }

    private static String shortName(String name) {
        String s = name.replace("language_model.model.", "").replace(".weight", "");
        return s;
    }
}
