package org.lvlmworkbench.app.views.compress;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
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
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.EvaluatedPlan;
import org.lvlmworkbench.app.widgets.ParetoChartView;
import org.lvlmworkbench.core.compress.evaluate.ItemResult;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.ModelShape;

/**
 * State of the Compress view: the current plan's choices in groups (each removable), undo and redo,
 * the metrics of its evaluation original against compressed as items finish, every evaluated plan as
 * a point of accuracy against parameters or FLOPs with the Pareto frontier (a click restores that
 * plan), and saving and opening plans as JSON.
 */
public final class PlanViewModel {

    /** What the Pareto chart's x axis counts. */
    public enum CostAxis {
        PARAMETERS("parameters"),
        FLOPS("FLOPs per answer");

        private final String label;

        CostAxis(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final CompressionSession compression;

    public final ObservableList<PlanEntries.Group> groups = FXCollections.observableArrayList();
    public final StringProperty planSummary = new SimpleStringProperty(this, "planSummary", "");
    public final ObservableList<PlanMetrics.Row> metrics = FXCollections.observableArrayList();
    public final StringProperty evaluationCaption = new SimpleStringProperty(this, "evaluationCaption", "");
    public final ObjectProperty<CostAxis> costAxis = new SimpleObjectProperty<>(this, "costAxis", CostAxis.PARAMETERS);
    /** The evaluated plans as chart points, in the order of {@link CompressionSession#points()}. */
    public final ObjectProperty<List<ParetoChartView.Point>> paretoPoints = new SimpleObjectProperty<>(this,
            "paretoPoints", List.of());
    /** The point of the plan now in force, or -1. */
    public final IntegerProperty currentPoint = new SimpleIntegerProperty(this, "currentPoint", -1);
    public final BooleanBinding undoDisabled;
    public final BooleanBinding redoDisabled;
    public final BooleanBinding noPlan;

    public PlanViewModel(CompressionSession compression) {
        this.compression = compression;
        undoDisabled = compression.canUndoProperty().not();
        redoDisabled = compression.canRedoProperty().not();
        noPlan = Bindings.createBooleanBinding(() -> compression.plan() == null, compression.planProperty());
        compression.planProperty().addListener((obs, old, plan) -> showPlan());
        compression.shapeProperty().addListener((obs, old, shape) -> showPlan());
        for (Observable o : List.<Observable>of(compression.items(), compression.summaryProperty(),
                compression.originalSizesProperty(), compression.compressedSizesProperty(),
                compression.predictedLossProperty(), compression.evaluationStateProperty(),
                compression.evaluationItems)) {
            o.addListener(x -> showMetrics());
        }
        compression.points().addListener((ListChangeListener<EvaluatedPlan>) c -> showPoints());
        costAxis.addListener((obs, old, axis) -> showPoints());
        compression.planProperty().addListener((obs, old, plan) -> showCurrentPoint());
        showPlan();
        showMetrics();
    }

    public CompressionSession compression() {
        return compression;
    }

    /** Makes the compressor and the empty plan if there is none yet (the view calls it when shown). */
    public void prepare() {
        if (compression.plan() == null && compression.modelSession().model() != null) {
            compression.prepare();
        }
    }

    public void undo() {
        compression.undo();
    }

    public void redo() {
        compression.redo();
    }

    /** Takes one choice out of the plan. */
    public void remove(PlanEntries.Entry entry) {
        compression.edit(entry.removal());
    }

    /** Takes every choice of a group out of the plan, as one step to undo. */
    public void remove(PlanEntries.Group group) {
        compression.edit(group::removeFrom);
    }

    /** Makes the plan of point {@code index} the current one again (an undoable step). */
    public void restorePoint(int index) {
        List<EvaluatedPlan> points = compression.points();
        if (index >= 0 && index < points.size()) {
            compression.push(points.get(index).plan());
        }
    }

    /** Evaluates the current plan again (e.g. after changing the number of items). */
    public void evaluate() {
        compression.prepare(compression::evaluate);
    }

    /** Writes the current plan as JSON. */
    public void save(Path file) {
        CompressionPlan plan = compression.plan();
        if (plan == null) {
            throw new IllegalStateException("there is no plan yet");
        }
        try {
            Files.writeString(file, plan.toJsonString() + System.lineSeparator());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot be written: " + e.getMessage(), e);
        }
        compression.modelSession().setStatus("Saved the plan to " + file);
    }

    /**
     * Reads a plan file and makes it the current plan (undoable), if it belongs to this model; the
     * status line says why one is refused.
     *
     * @return whether the plan was taken
     */
    public boolean open(Path file) {
        CompressionPlan read;
        try {
            read = CompressionPlan.read(file);
        } catch (RuntimeException e) {
            compression.modelSession().setStatus("Cannot open the plan: " + e.getMessage());
            return false;
        }
        boolean[] taken = new boolean[1];
        compression.prepare(() -> {
            taken[0] = compression.open(read);
            if (taken[0]) {
                compression.modelSession().setStatus("Opened the plan " + file.getFileName());
            }
        });
        return taken[0];
    }

    /** The tooltip of point {@code index} of {@link #paretoPoints}. */
    static String pointLabel(EvaluatedPlan p) {
        String head = p.original() ? "original model" : PlanEntries.summary(p.plan());
        return head + String.format(Locale.ROOT, "%naccuracy %.1f %% · agreement %.1f %% · mean KL %s%n", 100 * p.accuracy(),
                100 * p.agreement(), PlanMetrics.number(p.meanKl())) + String.format(Locale.ROOT, "%,d parameters · %s FLOPs per answer · %d items",
                        p.parameters(), PlanMetrics.si(p.flops()), p.items())
                + (p.original() ? "" : "\nclick to restore this plan");
    }

    private void showPlan() {
        CompressionPlan plan = compression.plan();
        ModelShape shape = compression.shapeProperty().get();
        if (plan == null || shape == null) {
            groups.clear();
            planSummary.set(compression.modelSession().model() == null ? "No model is open."
                    : "Preparing the compression workspace …");
            return;
        }
        groups.setAll(PlanEntries.of(plan, shape));
        planSummary.set(PlanEntries.summary(plan));
    }

    private void showMetrics() {
        List<ItemResult> items = new ArrayList<>(compression.items());
        metrics.setAll(PlanMetrics.rows(items, compression.evaluationItems.get(),
                compression.originalSizesProperty().get(), compression.compressedSizesProperty().get(),
                compression.predictedLossProperty().get(), compression.predictedRelativeLossProperty().get(),
                compression.summaryProperty().get()));
        int n = compression.evaluationItems.get();
        // Items are numbered from 1 in the file; past the calibration items when both come from one file.
        int first = items.isEmpty() ? 0 : items.get(0).index();
        String which = items.isEmpty() ? "" : " (" + (first + 1) + "–" + (first + items.size()) + " of the file"
                + (first > 0 ? "; 1–" + first + " are the calibration items" : "") + ")";
        evaluationCaption.set(switch (compression.evaluationStateProperty().get()) {
            case IDLE -> "Change the plan (here or in Spectra, Layer similarity, Visual tokens) to evaluate it on "
                    + n + " items past the calibration items.";
            case RUNNING -> "Evaluating the plan: " + items.size() + " of " + n + " items …";
            case DONE -> "Evaluated on " + items.size() + " items" + which + "; original (reference) against compressed.";
            case CANCELLED -> "Evaluation stopped after " + items.size() + " items (a newer plan or Cancel).";
            case FAILED -> "The evaluation failed: see the status line.";
        });
    }

    private void showPoints() {
        List<ParetoChartView.Point> out = new ArrayList<>();
        for (EvaluatedPlan p : compression.points()) {
            double x = costAxis.get() == CostAxis.PARAMETERS ? p.parameters() : p.flops();
            out.add(new ParetoChartView.Point(x, 100 * p.accuracy(), pointLabel(p), p.original()));
        }
        paretoPoints.set(out);
        showCurrentPoint();
    }

    private void showCurrentPoint() {
        CompressionPlan plan = compression.plan();
        List<EvaluatedPlan> points = compression.points();
        int found = -1;
        for (int i = 0; i < points.size() && plan != null; i++) {
            EvaluatedPlan p = points.get(i);
            if (p.plan().equals(plan) || (p.original() && plan.isEmpty())) {
                found = i;
            }
        }
        currentPoint.set(found);
    }
}
