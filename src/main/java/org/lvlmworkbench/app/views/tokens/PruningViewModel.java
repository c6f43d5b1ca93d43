package org.lvlmworkbench.app.views.tokens;

import org.lvlmworkbench.core.analysis.tokens.KeptPatches;
import org.lvlmworkbench.core.analysis.tokens.PrunedRun;
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
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.compress.tokens.AdaptiveMass;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.PatchGrid;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/**
 * The visual-token pruning controls of the Visual tokens view: a method (FastV, a per-layer schedule,
 * adaptive attention mass, diversity), the layer K before which it prunes and how much it keeps (per
 * layer for a schedule, kept non-increasing); a preview that runs the pruned model on the selected item
 * and shows which patches survive to which layer; and adding the policy to the shared plan.
 */
public final class PruningViewModel {

    /** The pruning methods the view offers. */
    public enum Method {
        FASTV("FastV"),
        SCHEDULE("schedule (per layer)"),
        ADAPTIVE("adaptive (attention mass)"),
        DIVERSITY("diversity (DivPrune)");

        private final String label;

        Method(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** What a preview found for one item. */
    public record Preview(ProbeItem item, VisualTokenPruning policy, KeptPatches patches, String answer) {
    }

    private final ModelSession session;
    private final CompressionSession compression;
    private Job<Preview> previewing;

    public final ObjectProperty<Method> method = new SimpleObjectProperty<>(this, "method", Method.FASTV);
    /** The layer K before which the stage runs (FastV, adaptive, diversity). */
    public final IntegerProperty layer = new SimpleIntegerProperty(this, "layer", 2);
    /** Fraction of the image tokens kept (FastV, diversity), or the attention mass kept (adaptive). */
    public final DoubleProperty keep = new SimpleDoubleProperty(this, "keep", 0.5);
    /** Adaptive's floor of tokens. */
    public final IntegerProperty minKeep = new SimpleIntegerProperty(this, "minKeep", 4);
    /** Adaptive: the share of image tokens (percent) that {@link #fitMass()} fits the attention mass to remove. */
    public final IntegerProperty fitRemovedPercent = new SimpleIntegerProperty(this, "fitRemovedPercent", 50);
    /** What the last fit found, or "". */
    public final StringProperty fitText = new SimpleStringProperty(this, "fitText", "");
    /** Decoder layers of the open model, 0 without one. */
    public final IntegerProperty layers = new SimpleIntegerProperty(this, "layers", 0);
    /**
     * A schedule's keep fraction of the original image tokens at each layer (index = layer; layer 0
     * always 1): non-increasing, a stage wherever it drops.
     */
    public final ObservableList<DoubleProperty> schedule = FXCollections.observableArrayList();
    public final StringProperty policyText = new SimpleStringProperty(this, "policyText", "");
    public final StringProperty previewText = new SimpleStringProperty(this, "previewText", "");
    public final StringProperty planText = new SimpleStringProperty(this, "planText", "");
    public final ObjectProperty<Preview> preview = new SimpleObjectProperty<>(this, "preview");
    public final BooleanBinding disabled;
    public final BooleanBinding scheduleShown;
    private boolean clamping;

    public PruningViewModel(ModelSession session, CompressionSession compression) {
        this.session = session;
        this.compression = compression;
        disabled = Bindings.createBooleanBinding(() -> !session.readyProperty().get(), session.readyProperty());
        scheduleShown = method.isEqualTo(Method.SCHEDULE);
        session.addModelListener(this::modelOpened);
        if (session.model() != null) {
            modelOpened(session.model());
        }
        for (var p : List.of(method, layer, keep, minKeep)) {
            p.addListener(x -> showPolicy());
        }
        compression.planProperty().addListener((obs, old, plan) -> showPlan());
        showPolicy();
        showPlan();
    }

    private void modelOpened(LoadedModel m) {
        setLayers(m.model().decoder().numLayers());
    }

    /** A decoder of {@code n} layers: the layer K's range and one schedule keep per layer (1, 1, ½ …, ¼ …). */
    void setLayers(int n) {
        layers.set(n);
        layer.set(Math.max(1, Math.min(layer.get(), n - 1)));
        List<DoubleProperty> keeps = new ArrayList<>();
        for (int l = 0; l < n; l++) {
            DoubleProperty k = new SimpleDoubleProperty(this, "keep" + l, l < 2 ? 1 : l < 5 ? 0.5 : 0.25);
            int at = l;
            k.addListener((obs, old, v) -> keepMonotone(at, v.doubleValue()));
            keeps.add(k);
        }
        schedule.setAll(keeps);
        preview.set(null);
        previewText.set("");
        showPolicy();
    }

    /** A schedule never keeps more at a later layer: moving one layer's keep drags the others along. */
    private void keepMonotone(int at, double value) {
        if (clamping) {
            return;
        }
        clamping = true;
        try {
            if (at == 0 && value != 1) {
                schedule.get(0).set(1);
            }
            for (int l = 1; l < schedule.size(); l++) {
                double v = schedule.get(l).get();
                if (l < at && v < value) {
                    schedule.get(l).set(value);
                } else if (l > at && v > value) {
                    schedule.get(l).set(value);
                }
            }
        } finally {
            clamping = false;
        }
        showPolicy();
    }

    /** The policy the controls describe. */
    public VisualTokenPruning policy() {
        int k = layer.get();
        double f = keep.get();
        return switch (method.get()) {
            case FASTV -> VisualTokenPruning.fastV(Math.max(1, k), 1 - f);
            case ADAPTIVE -> VisualTokenPruning.adaptive(Math.max(1, k), f, Math.max(1, minKeep.get()));
            case DIVERSITY -> VisualTokenPruning.diversity(k, 1 - f);
            case SCHEDULE -> {
                List<Integer> at = new ArrayList<>();
                List<Double> keeps = new ArrayList<>();
                double previous = 1;
                for (int l = 1; l < schedule.size(); l++) {
                    double v = schedule.get(l).get();
                    if (v < previous - 1e-9) {
                        at.add(l);
                        keeps.add(v);
                        previous = v;
                    }
                }
                yield VisualTokenPruning.schedule(at.stream().mapToInt(Integer::intValue).toArray(),
                        keeps.stream().mapToDouble(Double::doubleValue).toArray());
            }
        };
    }

    private void showPolicy() {
        try {
            VisualTokenPruning p = policy();
            if (layers.get() > 0) {
                p.checkLayers(layers.get());
            }
            policyText.set(p.describe());
        } catch (IllegalArgumentException e) {
            policyText.set("not a policy: " + e.getMessage());
        }
    }

    private void showPlan() {
        var plan = compression.plan();
        planText.set(plan == null ? "" : plan.tokenPruning().isNone() ? "The plan prunes no visual tokens."
                : "In the plan: " + plan.tokenPruning().describe());
    }

    /** Runs the selected item through the model under the policy and shows which patches it keeps. */
    public Job<Preview> preview(ProbeItem item, TokenTable table) {
        LoadedModel m = session.model();
        if (m == null || item == null || table == null || table.grids().isEmpty()) {
            previewText.set(item == null ? "Run, then pick an item to see what the pruning keeps." : "");
            return null;
        }
        VisualTokenPruning p;
        try {
            p = policy().checkLayers(m.model().decoder().numLayers());
        } catch (IllegalArgumentException e) {
            previewText.set("not a policy: " + e.getMessage());
            return null;
        }
        if (previewing != null) {
            previewing.cancel();
        }
        PatchGrid grid = table.grids().get(0);
        int n = m.model().decoder().numLayers();
        previewText.set("Running the pruned model on the item …");
        previewing = session.run("Pruning preview · " + p.describe(), progress -> {
            PrunedRun run = PrunedRun.of(m, item, p, progress);
            return new Preview(item, p, KeptPatches.of(table, grid, run.stageLayers(), run.kept(), n), run.answer());
        }, result -> {
            preview.set(result);
            KeptPatches k = result.patches();
            previewText.set(String.format(Locale.ROOT, "%d of %d image tokens kept to the end (%.0f %%) · the pruned "
                    + "model answers “%s”", k.kept(), k.imageTokens(), 100.0 * k.kept() / Math.max(1, k.imageTokens()),
                    result.answer()));
        });
        return previewing;
    }

    /**
     * Adaptive: sets the attention mass to the one that removes {@link #fitRemovedPercent} of the image
     * tokens on average over the calibration items (see {@code AdaptiveMass}), so that it can be set beside
     * FastV or diversity pruning at the same mean budget. {@code then} runs after the mass is set.
     */
    public Job<AdaptiveMass.Fit> fitMass(Runnable then) {
        if (session.model() == null) {
            return null;
        }
        int k = Math.max(1, layer.get());
        double share = fitRemovedPercent.get() / 100.0;
        int floor = Math.max(1, minKeep.get());
        fitText.set("Fitting the attention mass on the calibration items …");
        return compression.compute("Adaptive pruning · fitting the mass to remove " + fitRemovedPercent.get() + " %",
                (c, progress) -> c.adaptiveMass(k, share, floor, progress), fit -> {
                    method.set(Method.ADAPTIVE);
                    keep.set(fit.mass());
                    fitText.set(fitDescription(fit, k));
                    then.run();
                });
    }

    /** One line for a fit: the mass, what it removes on average and the spread over the items. */
    static String fitDescription(AdaptiveMass.Fit fit, int layer) {
        return String.format(Locale.ROOT, "Mass %.3f before layer %d removes %.1f %% of the image tokens on average over "
                + "%d calibration items (%.0f–%.0f %% per item).", fit.mass(), layer, 100 * fit.removedShare(), fit.items(),
                100 * fit.smallestShare(), 100 * fit.largestShare());
    }

    /** Puts the policy into the shared plan (replacing any pruning it had). */
    public void addToPlan() {
        VisualTokenPruning p;
        try {
            p = policy();
        } catch (IllegalArgumentException e) {
            previewText.set("not a policy: " + e.getMessage());
            return;
        }
        compression.edit(plan -> plan.withTokenPruning(p));
    }

    /** Takes the pruning out of the shared plan. */
    public void removeFromPlan() {
        compression.edit(plan -> plan.withTokenPruning(VisualTokenPruning.NONE));
    }

    /** Why the plan refused the last change, or "". */
    public javafx.beans.property.ReadOnlyStringProperty notice() {
        return compression.noticeProperty();
    }
}
