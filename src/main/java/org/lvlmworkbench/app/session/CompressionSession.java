package org.lvlmworkbench.app.session;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.lvlmworkbench.core.compress.ReportRequest;
import org.lvlmworkbench.core.compress.export.ExportOptions;
import org.lvlmworkbench.core.compress.export.ModelExporter;
import org.lvlmworkbench.core.compress.report.ReportData;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.compress.Compressor;
import org.lvlmworkbench.core.compress.evaluate.EvaluationResult;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSettings;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSummary;
import org.lvlmworkbench.core.compress.evaluate.ItemResult;
import org.lvlmworkbench.core.compress.evaluate.PlanEvaluator;
import org.lvlmworkbench.core.compress.evaluate.ReferenceCache;
import org.lvlmworkbench.core.compress.lowrank.Factorization;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.compress.plan.PlanException;
import org.lvlmworkbench.core.compress.plan.PlanHistory;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.LanguageModel;

/**
 * The compression plan being built for the open model, shared by every view that edits it. Owns one
 * {@link Compressor} (its calibration set is the first {@link #calibrationItems} items of the
 * evaluation file) and a {@link PlanHistory}. Whenever the plan changes it is applied and the
 * compressed model is evaluated against the original on the first {@link #evaluationItems} items of
 * the same file, item results streaming into {@link #items}; a newer plan cancels the running
 * evaluation. Every plan whose evaluation finished is remembered in {@link #points}.
 *
 * <p>All heavy work runs as jobs on the {@link ModelSession}'s one worker (with its progress and
 * Cancel); the observable state changes only in their callbacks, on the session's UI executor, so
 * this class, like the session, needs no toolkit. Call its methods from the UI thread. The
 * compressor is made on first use ({@link #prepare()}), not when a model opens, so a model that is
 * only looked at costs nothing here.
 */
public final class CompressionSession {

    public static final int DEFAULT_CALIBRATION_ITEMS = 16;
    public static final int DEFAULT_EVALUATION_ITEMS = 32;
    /** Greedy answers' length limit, as the CLI's {@code eval}. */
    public static final int MAX_NEW_TOKENS = 8;

    /** Parameter counts of one model: all, and per component as the model card groups them. */
    public record ModelSizes(long parameters, Map<String, Long> byComponent) {

        public ModelSizes {
            byComponent = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byComponent));
        }

        static ModelSizes of(LanguageModel model) {
            long total = 0;
            for (long n : model.parameterSizes().values()) {
                total += n;
            }
            Map<String, Long> parts = new LinkedHashMap<>();
            for (LanguageModel.ComponentSize c : model.components()) {
                parts.merge(c.name(), c.parameters(), Long::sum);
            }
            return new ModelSizes(total, parts);
        }
    }

    /** Where the evaluation of the current plan is. */
    public enum EvaluationState {
        /** Nothing evaluated yet for this model. */
        IDLE,
        RUNNING,
        DONE,
        CANCELLED,
        FAILED
    }

    /** What an evaluation job publishes: first the two models' sizes, then each item as it finishes. */
    private sealed interface Event permits Started, Item {
    }

    private record Started(ModelSizes original, ModelSizes compressed, double predictedLoss,
            double predictedRelativeLoss) implements Event {
    }

    private record Item(ItemResult result) implements Event {
    }

    private final ModelSession session;
    private final ReferenceCache referenceCache = new ReferenceCache();
    /** Made and read on the worker; volatile so the UI can read cached factorisations from it. */
    private volatile Compressor compressor;
    /** Made on the worker for the compressor it evaluates against; dropped when either changes. */
    private volatile PlanEvaluator evaluator;
    private volatile Compressor evaluatorFor;
    private PlanHistory history;
    private Job<Compressor> preparing;
    private final List<Runnable> whenPrepared = new ArrayList<>();
    private Job<EvaluationResult> evaluation;
    /** Bumped for every evaluation started or cancelled, so late callbacks of an older one are dropped. */
    private long evaluationGeneration;

    /** The evaluation file: calibration and evaluation items are its first ones. */
    public final ObjectProperty<Path> evalFile = new SimpleObjectProperty<>(this, "evalFile");
    /** Calibration items (first N of {@link #evalFile}); a change recalibrates and re-evaluates. */
    public final IntegerProperty calibrationItems = new SimpleIntegerProperty(this, "calibrationItems",
            DEFAULT_CALIBRATION_ITEMS);
    /** Evaluation items (first N of {@link #evalFile}); a change re-evaluates the current plan. */
    public final IntegerProperty evaluationItems = new SimpleIntegerProperty(this, "evaluationItems",
            DEFAULT_EVALUATION_ITEMS);

    private final ReadOnlyObjectWrapper<CompressionPlan> plan = new ReadOnlyObjectWrapper<>(this, "plan");
    private final ReadOnlyObjectWrapper<ModelShape> shape = new ReadOnlyObjectWrapper<>(this, "shape");
    private final javafx.beans.property.ReadOnlyStringWrapper notice = new javafx.beans.property.ReadOnlyStringWrapper(
            this, "notice", "");
    private final ReadOnlyBooleanWrapper canUndo = new ReadOnlyBooleanWrapper(this, "canUndo", false);
    private final ReadOnlyBooleanWrapper canRedo = new ReadOnlyBooleanWrapper(this, "canRedo", false);
    private final ReadOnlyObjectWrapper<EvaluationState> evaluationState = new ReadOnlyObjectWrapper<>(this,
            "evaluationState", EvaluationState.IDLE);
    private final ReadOnlyObjectWrapper<CompressionPlan> evaluatedPlan = new ReadOnlyObjectWrapper<>(this,
            "evaluatedPlan");
    private final ReadOnlyObjectWrapper<ModelSizes> originalSizes = new ReadOnlyObjectWrapper<>(this, "originalSizes");
    private final ReadOnlyObjectWrapper<ModelSizes> compressedSizes = new ReadOnlyObjectWrapper<>(this,
            "compressedSizes");
    private final ReadOnlyObjectWrapper<Double> predictedLoss = new ReadOnlyObjectWrapper<>(this, "predictedLoss");
    private final ReadOnlyObjectWrapper<Double> predictedRelativeLoss = new ReadOnlyObjectWrapper<>(this,
            "predictedRelativeLoss");
    private final ReadOnlyObjectWrapper<EvaluationSummary> summary = new ReadOnlyObjectWrapper<>(this, "summary");
    private final ObservableList<ItemResult> items = FXCollections.observableArrayList();
    private final ObservableList<EvaluatedPlan> points = FXCollections.observableArrayList();
    private final ObservableList<ItemResult> itemsView = FXCollections.unmodifiableObservableList(items);
    private final ObservableList<EvaluatedPlan> pointsView = FXCollections.unmodifiableObservableList(points);

    /** @param evalFile the evaluation file calibration and evaluation take their items from */
    public CompressionSession(ModelSession session, Path evalFile) {
        this.session = session;
        this.evalFile.set(evalFile);
        session.addModelListener(m -> reset());
        calibrationItems.addListener((obs, old, n) -> {
            if (n.intValue() < 1) {
                calibrationItems.set(1);
            } else if (compressor != null || preparing != null) {
                recalibrate();
            }
        });
        evaluationItems.addListener((obs, old, n) -> {
            if (n.intValue() < 1) {
                evaluationItems.set(1);
            } else if (plan.get() != null && evaluationState.get() != EvaluationState.IDLE) {
                evaluate();
            }
        });
        this.evalFile.addListener((obs, old, file) -> {
            evaluator = null;
            evaluatorFor = null;
            if (compressor != null || preparing != null) {
                recalibrate();
            }
        });
    }

    public ModelSession modelSession() {
        return session;
    }

    // ---- observable state ----

    /** The current plan; null until {@link #prepare()} finished for the open model. */
    public ReadOnlyObjectProperty<CompressionPlan> planProperty() {
        return plan.getReadOnlyProperty();
    }

    public CompressionPlan plan() {
        return plan.get();
    }

    /** The open model's shape as plans see it; null until prepared. */
    public ReadOnlyObjectProperty<ModelShape> shapeProperty() {
        return shape.getReadOnlyProperty();
    }

    /**
     * Why the last plan change was refused ("" once a change is taken): the status line says it too,
     * but a running evaluation's progress soon replaces it there.
     */
    public javafx.beans.property.ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canUndoProperty() {
        return canUndo.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty canRedoProperty() {
        return canRedo.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<EvaluationState> evaluationStateProperty() {
        return evaluationState.getReadOnlyProperty();
    }

    /** The plan the shown items and summary belong to. */
    public ReadOnlyObjectProperty<CompressionPlan> evaluatedPlanProperty() {
        return evaluatedPlan.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<ModelSizes> originalSizesProperty() {
        return originalSizes.getReadOnlyProperty();
    }

    /** Sizes of the compressed model of {@link #evaluatedPlanProperty()}, once it was built. */
    public ReadOnlyObjectProperty<ModelSizes> compressedSizesProperty() {
        return compressedSizes.getReadOnlyProperty();
    }

    /** {@code Σ‖(W − W_k)·Xᵀ‖²} over the evaluated plan's ranked matrices, null without ranks or when not cached. */
    public ReadOnlyObjectProperty<Double> predictedLossProperty() {
        return predictedLoss.getReadOnlyProperty();
    }

    /** The same per matrix relative to its output energy, averaged; null as {@link #predictedLossProperty()}. */
    public ReadOnlyObjectProperty<Double> predictedRelativeLossProperty() {
        return predictedRelativeLoss.getReadOnlyProperty();
    }

    /** The finished evaluation's summary; null while it runs. */
    public ReadOnlyObjectProperty<EvaluationSummary> summaryProperty() {
        return summary.getReadOnlyProperty();
    }

    /** The evaluated plan's items as they finish, in order. */
    public ObservableList<ItemResult> items() {
        return itemsView;
    }

    /** Every plan whose evaluation finished, the original first once one finished; re-evaluating a plan replaces its point. */
    public ObservableList<EvaluatedPlan> points() {
        return pointsView;
    }

    /** The factorisation if computed and cached, else null; costs nothing, safe on the UI thread. */
    public Factorization cachedFactorization(String matrix, LowRankMethod method) {
        Compressor c = compressor;
        return c == null ? null : c.cachedFactorization(matrix, method);
    }

    // ---- preparing ----

    /**
     * Makes the compressor for the open model (on the worker) and starts an empty plan, unless done
     * or under way; {@code then} runs on the UI executor once the plan exists (at once if it does).
     */
    public void prepare(Runnable then) {
        if (plan.get() != null && preparing == null) {
            then.run();
            return;
        }
        whenPrepared.add(then);
        prepare();
    }

    /** {@link #prepare(Runnable)} with nothing to run after. */
    public Job<Compressor> prepare() {
        if (preparing != null || plan.get() != null) {
            return preparing;
        }
        if (session.model() == null) {
            throw new IllegalStateException("no model is open");
        }
        preparing = submitCompressor("Preparing compression", null);
        return preparing;
    }

    private Job<Compressor> submitCompressor(String title, CompressionPlan keep) {
        LoadedModel m = session.model();
        Path file = evalFile.get();
        int n = calibrationItems.get();
        Job<Compressor>[] self = new Job[1];
        self[0] = session.<Compressor, Void>stream(title + " · calibration on "
                + (file == null ? "no file" : file.getFileName()) + " (first " + n + ")", (p, publish) -> {
                    if (file == null) {
                        throw new IllegalArgumentException("choose an evaluation file first");
                    }
                    p.update(Double.NaN, "Reading " + n + " calibration items …");
                    ProbeSet items = ProbeSet.fromEvalFile(file, n);
                    Compressor c = new Compressor(m, items.items(), file.toString());
                    compressor = c;
                    return c;
                }, none -> { }, c -> installed(self[0], c, keep, file, n), job -> {
                    if (job == preparing && job.state() != Job.State.SUCCEEDED) {
                        // Failed or cancelled: the next use tries again.
                        preparing = null;
                        whenPrepared.clear();
                    }
                });
        return self[0];
    }

    private void installed(Job<Compressor> job, Compressor c, CompressionPlan keep, Path file, int n) {
        if (job == preparing) {
            preparing = null;
        }
        if (c.original() != session.model()) {
            // Another model opened meanwhile; its own preparation follows.
            if (compressor == c) {
                compressor = null;
            }
            return;
        }
        shape.set(c.shape());
        if (keep == null) {
            history = new PlanHistory(c.emptyPlan());
            showPlan();
            List<Runnable> pending = new ArrayList<>(whenPrepared);
            whenPrepared.clear();
            pending.forEach(Runnable::run);
        } else {
            // Calibration shapes only the factorisations: a plan without ranks needs no new evaluation.
            CompressionPlan next = keep.withCalibration(c.calibration());
            if (keep.ranks().isEmpty()) {
                history.push(next);
                showPlan();
            } else {
                push(next);
            }
        }
        // The number of items or the file changed while this compressor was being made.
        if (n != calibrationItems.get() || !java.util.Objects.equals(file, evalFile.get())) {
            recalibrate();
        }
    }

    private void recalibrate() {
        CompressionPlan current = plan.get();
        if (current == null || session.model() == null) {
            return;
        }
        cancelEvaluation();
        submitCompressor("Recalibrating", current);
    }

    private void reset() {
        cancelEvaluation();
        compressor = null;
        evaluator = null;
        evaluatorFor = null;
        history = null;
        preparing = null;
        whenPrepared.clear();
        shape.set(null);
        plan.set(null);
        notice.set("");
        canUndo.set(false);
        canRedo.set(false);
        items.clear();
        points.clear();
        summary.set(null);
        evaluatedPlan.set(null);
        originalSizes.set(null);
        compressedSizes.set(null);
        predictedLoss.set(null);
        predictedRelativeLoss.set(null);
        evaluationState.set(EvaluationState.IDLE);
    }

    // ---- editing ----

    /**
     * Makes {@code next} the current plan (undoable) and evaluates it. A plan the model refuses is
     * not taken: the status line names the entry at fault.
     *
     * @return whether the plan was taken (an equal plan is taken and not re-evaluated)
     */
    public boolean push(CompressionPlan next) {
        if (history == null) {
            throw new IllegalStateException("compression is not prepared for this model");
        }
        try {
            next.validate(shape.get());
        } catch (PlanException e) {
            refuse(e.getMessage());
            return false;
        }
        notice.set("");
        if (next.equals(history.current())) {
            return true;
        }
        history.push(next);
        showPlan();
        evaluate();
        return true;
    }

    /** Applies {@code change} to the current plan (preparing first if needed) and {@link #push pushes} the result. */
    public void edit(UnaryOperator<CompressionPlan> change) {
        prepare(() -> {
            CompressionPlan next;
            try {
                next = change.apply(history.current());
            } catch (IllegalArgumentException e) {
                refuse(e.getMessage());
                return;
            }
            push(next);
        });
    }

    private void refuse(String why) {
        String line = "The plan was not changed: " + why;
        notice.set(line);
        session.setStatus(line);
    }

    public void undo() {
        if (history != null && history.canUndo()) {
            history.undo();
            showPlan();
            evaluate();
        }
    }

    public void redo() {
        if (history != null && history.canRedo()) {
            history.redo();
            showPlan();
            evaluate();
        }
    }

    /** A plan read from a file, checked against this model; the status line says why one is refused. */
    public boolean open(CompressionPlan read) {
        if (history == null) {
            throw new IllegalStateException("compression is not prepared for this model");
        }
        return push(read);
    }

    private void showPlan() {
        plan.set(history.current());
        canUndo.set(history.canUndo());
        canRedo.set(history.canRedo());
    }

    // ---- heavy work for the views ----

    /**
     * Runs {@code work} with the compressor on the worker (preparing first if needed), then
     * {@code onDone} on the UI executor. A running evaluation is cancelled first so that the work need
     * not wait for it; if nothing newer was evaluated meanwhile, the current plan is evaluated again
     * once {@code onDone} ran.
     */
    public <T> Job<T> compute(String title, BiFunction<Compressor, Progress, T> work, Consumer<T> onDone) {
        if (session.model() == null) {
            throw new IllegalStateException("no model is open");
        }
        if (plan.get() == null) {
            prepare();
        }
        boolean interrupted = cancelEvaluation();
        long generation = evaluationGeneration;
        return session.run(title, p -> {
            Compressor c = compressor;
            if (c == null) {
                throw new IllegalStateException("compression could not be prepared for this model");
            }
            return work.apply(c, p);
        }, value -> {
            onDone.accept(value);
            if (interrupted && generation == evaluationGeneration && plan.get() != null) {
                evaluate();
            }
        });
    }

    // ---- export ----

    /**
     * What exporting the current plan with {@code options} would write, or null before the workspace
     * is prepared.
     */
    public ModelExporter.Estimate exportEstimate(ExportOptions options) {
        Compressor c = compressor;
        CompressionPlan p = plan.get();
        return c == null || p == null ? null : ModelExporter.estimate(c.original(), p, options);
    }

    /**
     * Exports the current plan to {@code out} on the worker, with a report when {@code report} is set:
     * the live evaluation when it is of this plan, else one on the evaluation items, and every other
     * evaluated plan on its Pareto chart. {@code onEnd} runs on the UI thread however the job ends.
     */
    public Job<ModelExporter.Result> export(java.nio.file.Path out, ExportOptions options, boolean report,
            Consumer<Job<ModelExporter.Result>> onEnd) {
        CompressionPlan current = plan.get();
        if (session.model() == null || current == null) {
            throw new IllegalStateException("no plan to export: open a model and let Compress prepare it");
        }
        ReportRequest request = null;
        if (report) {
            EvaluationSummary known = current.equals(evaluatedPlan.get()) ? summary.get() : null;
            List<ReportData.ParetoPoint> others = new ArrayList<>();
            int n = 0;
            for (EvaluatedPlan e : points) {
                n++;
                if (!e.original() && !e.plan().equals(current)) {
                    others.add(new ReportData.ParetoPoint("plan " + n, e.parameters(), e.accuracy(), false));
                }
            }
            request = new ReportRequest(known, known == null ? EvalSet.read(evalFile.get()) : null,
                    known == null ? evaluationItems.get() : 0, true, others);
        }
        ReportRequest withReport = request;
        boolean interrupted = cancelEvaluation();
        return session.stream("Export to " + out.getFileName(), (p, publish) -> {
            Compressor c = compressor;
            return withReport == null ? c.export(current, out, options, p) : c.export(current, out, options, withReport, p);
        }, partial -> { }, result -> { }, job -> {
            onEnd.accept(job);
            if (interrupted && plan.get() != null) {
                evaluate();
            }
        });
    }

    // ---- evaluation ----

    /** Applies the current plan and evaluates it (cancelling a running evaluation). */
    public Job<EvaluationResult> evaluate() {
        CompressionPlan p = plan.get();
        if (p == null || session.model() == null) {
            return null;
        }
        cancelEvaluation();
        long generation = ++evaluationGeneration;
        items.clear();
        summary.set(null);
        compressedSizes.set(null);
        predictedLoss.set(null);
        predictedRelativeLoss.set(null);
        evaluatedPlan.set(p);
        evaluationState.set(EvaluationState.RUNNING);
        int n = evaluationItems.get();
        Path file = evalFile.get();
        Job<EvaluationResult>[] self = new Job[1];
        self[0] = session.<EvaluationResult, Event>stream("Evaluating the plan",
                (progress, publish) -> {
                    Compressor c = compressor;
                    if (c == null) {
                        throw new IllegalStateException("compression is not prepared for this model");
                    }
                    PlanEvaluator ev = evaluator(c, file);
                    progress.update(Double.NaN, p.isEmpty() ? "Evaluating the original model …" : "Applying the plan …");
                    LoadedModel candidate = p.isEmpty() ? c.original() : c.apply(p, progress);
                    try {
                        double loss = p.ranks().isEmpty() ? Double.NaN : c.predictedLoss(p);
                        double relative = p.ranks().isEmpty() ? Double.NaN : c.predictedRelativeLoss(p);
                        publish.accept(new Started(ModelSizes.of(c.original().model()),
                                ModelSizes.of(candidate.model()), loss, relative));
                        EvaluationSettings settings = new EvaluationSettings(n, MAX_NEW_TOKENS, true,
                                Double.isNaN(loss) ? null : loss).heldOutFrom(c.calibration(), file);
                        EvaluationResult r = ev.evaluate(candidate, settings, item -> publish.accept(new Item(item)),
                                progress);
                        if (r.summary().cancelled()) {
                            throw new CancellationException("a newer plan replaced this one");
                        }
                        return r;
                    } finally {
                        if (candidate != c.original()) {
                            candidate.close();
                        }
                    }
                }, event -> {
                    if (generation == evaluationGeneration) {
                        receive(event);
                    }
                }, result -> {
                    if (generation == evaluationGeneration) {
                        finished(p, result);
                    }
                }, job -> {
                    // Cancellations asked for here were marked then; this catches failures and the Cancel button.
                    if (generation == evaluationGeneration && job.state() != Job.State.SUCCEEDED) {
                        evaluationState.set(job.state() == Job.State.FAILED ? EvaluationState.FAILED
                                : EvaluationState.CANCELLED);
                    }
                });
        evaluation = self[0];
        return self[0];
    }

    /** The job of the running (or last) evaluation, or null. */
    public Job<EvaluationResult> evaluation() {
        return evaluation;
    }

    /**
     * Cancels the running evaluation, if any.
     *
     * @return whether one was running or waiting
     */
    public boolean cancelEvaluation() {
        Job<EvaluationResult> e = evaluation;
        boolean running = e != null && (e.state() == Job.State.QUEUED || e.state() == Job.State.RUNNING);
        if (running) {
            e.cancel();
            PlanEvaluator ev = evaluator;
            if (ev != null) {
                ev.cancelRunning();
            }
            evaluationGeneration++;
            evaluationState.set(EvaluationState.CANCELLED);
        }
        return running;
    }

    private PlanEvaluator evaluator(Compressor c, Path file) {
        PlanEvaluator ev = evaluator;
        if (ev == null || evaluatorFor != c) {
            ev = new PlanEvaluator(c.original(), EvalSet.read(file), referenceCache);
            evaluator = ev;
            evaluatorFor = c;
        }
        return ev;
    }

    private void receive(Event event) {
        if (event instanceof Started s) {
            originalSizes.set(s.original());
            compressedSizes.set(s.compressed());
            predictedLoss.set(Double.isNaN(s.predictedLoss()) ? null : s.predictedLoss());
            predictedRelativeLoss.set(Double.isNaN(s.predictedRelativeLoss()) ? null : s.predictedRelativeLoss());
        } else if (event instanceof Item i) {
            items.add(i.result());
        }
    }

    private void finished(CompressionPlan p, EvaluationResult result) {
        summary.set(result.summary());
        evaluationState.set(EvaluationState.DONE);
        Compressor c = compressor;
        if (c != null) {
            remember(EvaluatedPlan.originalOf(c.emptyPlan(), result.summary()));
        }
        if (!p.isEmpty()) {
            remember(EvaluatedPlan.of(p, result.summary()));
        }
    }

    /** Adds the point, replacing one of an equal plan (the original's by the latest measurement). */
    private void remember(EvaluatedPlan point) {
        for (int i = 0; i < points.size(); i++) {
            EvaluatedPlan old = points.get(i);
            if (old.original() == point.original() && (point.original() || old.plan().equals(point.plan()))) {
                points.set(i, point);
                return;
            }
        }
        if (point.original()) {
            points.add(0, point);
        } else {
            points.add(point);
        }
    }
}
