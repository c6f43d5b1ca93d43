package org.lvlmworkbench.core.compress.soco;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.compress.lowrank.Factorization;
import org.lvlmworkbench.core.compress.lowrank.SocoSelection;
import org.lvlmworkbench.core.compress.lowrank.SocoSettings;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.nn.FactoredLinear;
import org.lvlmworkbench.core.nn.OwnedTensors;
import org.lvlmworkbench.core.optim.Adam;
import org.lvlmworkbench.core.optim.GradMode;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * SoCo's score training (arXiv 2502.15092, "learned importance per singular component"), on a model
 * whose scoped matrices are SVD-LLM factorisations at full rank, {@code W = U·Σ·R} held as the two
 * factors {@code up = U·√Σ} and {@code down = √Σ·R} ({@code PlanApplier} builds it, its language model
 * in float32). A score vector {@code s} (init 1) per matrix scales the components,
 * {@code W(s) = U·diag(σ⊙s)·R}: the down factor is kept equal to {@code diag(s)·D₀}. Every weight is
 * frozen; only the scores train. The gradient of a score is read off the down factor's,
 * {@code ∂L/∂s_i = Σ_c (∂L/∂D)_{ic}·D₀_{ic}}, which is exact and holds at {@code s_i = 0} too; the
 * forward pass is the model's own, so nothing about attention or the vision path is re-implemented.
 *
 * <h2>Loss (our choice; the paper's exact loss is unverified)</h2>
 * <ul>
 * <li>Deviation: {@code KL(P ‖ Q)} of the next-token distributions, {@code P} the model at {@code s = 1},
 *     {@code Q} the scored model, at every position that predicts the calibration answer (prompt, image
 *     and answer tokens, as the sample trainer builds its batches; the last prompt position alone when an
 *     item has no answer), averaged per item and over items. Why KL rather than output MSE: it is
 *     end-to-end, needs no labels, is what the evaluation reports (KL of the first answer token), and
 *     weighs errors by what they do to the answer. Why {@code s = 1} as the reference rather than the
 *     original: it is the original wherever the calibration Gram is full rank (SVD-LLM at full rank
 *     reproduces {@code W} on the data's span), and it makes {@code s = 1} an exact stationary point: with
 *     the sparsity weight at 0 the scores do not move at all, instead of Adam amplifying rounding noise.</li>
 * <li>Sparsity: an adaptive lasso (Zou 2006), {@code λ·Σ_i c_m·(ρ_m/σ_i)·|s_i|}: {@code c_m = (m + n)/mean(m + n)}
 *     the parameters a component of matrix {@code m} costs relative to the average, so the penalty prices
 *     what the budget counts; {@code ρ_m/σ_i} (the matrix's RMS singular value over the component's, capped
 *     at {@value #MAX_ADAPTIVE_WEIGHT}) the adaptive weight from the initial estimate, so a component that carries little of its
 *     matrix's output is cheap to drop and one that carries much must be defended by the deviation
 *     before it falls. A plain lasso shrinks every score alike and, at the start, with no deviation
 *     gradient yet, cannot tell them apart; the per-matrix {@code ρ_m} leaves the split between matrices
 *     to the deviation (their outputs' scales say nothing about what they do downstream).</li>
 * </ul>
 *
 * <h2>Schedule (the paper names three phases; their form here is our design)</h2>
 * <ol>
 * <li>Rapid coarse compression ({@link SocoSettings#coarseSteps()}): λ starts at
 *     {@link SocoSettings#initialPenalty()} and grows by {@link SocoSettings#penaltyGrowth()} each step
 *     while the active parameters ({@code Σ (m + n)} over scores with {@code |s| >}
 *     {@link SocoSettings#negligible()}) exceed the budget. Dense steps: the whole scored model, deviation
 *     plus penalty, Adam with one second moment for all scores ({@link Adam.Normalization#GLOBAL}), so a
 *     score moves in proportion to its net gradient: the cheap components fall first and fastest, the ones
 *     the deviation defends hold.</li>
 * <li>Oscillating refinement (the steps between): alternately a dense step as above, after which λ is
 *     multiplied by {@link SocoSettings#oscillation()} while the active parameters exceed the budget and
 *     divided by it while they fit (so it swings around the level that holds the budget), and a sparse
 *     step: the model cut to the budget by the current |s| ({@link SocoSelection#select}), no penalty,
 *     every score updated from the cut model's deviation gradient (straight through the cut), per-element
 *     Adam at {@value #SPARSE_LR} of the rate. The sparse steps see the operating point the result will
 *     have: a dropped component whose return would lower the deviation grows back and can displace a
 *     survivor (this is where the order departs from {@code σ}'s), and the survivors start to
 *     compensate.</li>
 * <li>Final sparsification ({@link SocoSettings#finalSteps()}): the components that fit the budget by
 *     |score| survive; the others are set to 0 for good; the penalty is off. The survivors start from their
 *     learned scores or from 1 (a relaxed lasso: the penalty shrank every score on the way), whichever fits
 *     the calibration items better, and are refitted to the deviation alone, free to exceed 1 and
 *     compensate for what was cut: per-element Adam from {@value #FINAL_LR} of the rate, on a cosine to a
 *     tenth of that. With every item in every step the scores of the step that fitted best are kept (the
 *     deviation is then exact, not a sample). With no final steps the caller selects.</li>
 * </ol>
 *
 * <p>Why these optimisers (tried on the sample): per-element Adam moves every score at about the
 * learning rate whatever the size of its gradient, so under a penalty the scores fall in lockstep and |s|
 * says little (the learned selection then had several times the deviation of {@code σ} order at the same
 * ranks); a global second moment keeps the sizes. Close to the cut model, where the deviation is small and
 * its gradient concentrated on a few scores, a global step overshoots (the deviation jumped to ~1 nat) and
 * per-element Adam at a small rate is the safe fine-tuner.
 *
 * <p>What the sample showed about length: with 40 steps the learned order departs from {@code σ}'s in a few
 * dozen components and the result's calibration deviation is below SVD-LLM's at the same ranks; with 100
 * steps the penalty drives the model far from the cut it ends at, the order departs in hundreds of
 * components and the deviation ends several times SVD-LLM's. Hence the short default
 * ({@link SocoSettings#DEFAULTS}); on a large model the balance may differ (not measured).
 *
 * <p>Cost: one forward and backward pass per calibration item per step through a model whose scoped
 * maps are full-rank factors ({@code r·(m + n)} numbers, more than {@code m·n}). Not thread-safe; the
 * engine allows one gradient collector at a time.
 */
public final class SocoTrainer implements AutoCloseable {

    /**
     * One matrix to score.
     *
     * @param name         the original model's key
     * @param trainingName its key in the training model (decoder layers re-indexed after drops and merges)
     * @param base         its SVD-LLM factorisation, whose full-rank factors the training model holds
     */
    public record Scoped(String name, String trainingName, Factorization base) {
    }

    /**
     * One training step.
     *
     * @param phase            {@code coarse}, {@code refine} (a dense refinement step), {@code sparse} (a
     *                         refinement step on the model cut to the budget) or {@code final}
     * @param deviation        the batch's mean KL (nats) before the step's update, of the model the step
     *                         sees (cut to the budget in sparse and final steps)
     * @param penalty          λ used in the step (0 in the final phase)
     * @param activeParameters {@code Σ (m + n)} over active scores after the update
     */
    public record Step(int step, String phase, double deviation, double penalty, long activeParameters, double seconds) {
    }

    /**
     * A finished run.
     *
     * @param scores    per matrix (original key), its scores in {@code σ} order
     * @param selection the survivors if the final phase ran (then the dropped scores are 0), else null
     * @param history   one entry per step
     */
    public record Result(Map<String, double[]> scores, SocoSelection.Result selection, List<Step> history) {

        /** Mean wall time of a step, in seconds. */
        public double secondsPerStep() {
            return history.stream().mapToDouble(Step::seconds).average().orElse(Double.NaN);
        }
    }

    /** One calibration item, encoded: ids fed, the rows that predict the answer, the reference there. */
    private record Item(long[] ids, RgbImage image, int from, int rows, float[] referenceProbs,
            float[] referenceLogProbs) {
    }

    private final LoadedModel model;
    private final List<Scoped> scope;
    private final NDManager manager;
    /** Per scoped matrix: the training model's down factor (trained in place) and its value at s = 1. */
    private final List<NDArray> down = new ArrayList<>();
    private final List<NDArray> down0 = new ArrayList<>();
    /** Per scoped matrix, per component: the penalty's weight {@code c_m·ρ_m/σ_i} (see the class notes). */
    private final List<NDArray> penaltyWeight = new ArrayList<>();
    private final List<Item> items = new ArrayList<>();
    /** The adaptive weight's cap: components below {@code ρ_m/30} are all equally cheap to drop. */
    static final double MAX_ADAPTIVE_WEIGHT = 30;
    /** Refinement's sparse steps run at this fraction of the learning rate. */
    static final double SPARSE_LR = 0.1;
    /** The final phase starts at this fraction of the learning rate. */
    static final double FINAL_LR = 0.03;

    private SocoTrainer(LoadedModel model, List<Scoped> scope) {
        this.model = model;
        this.scope = List.copyOf(scope);
        this.manager = model.model().manager().newSubManager();
        Map<String, LinearWeight> byName = new LinkedHashMap<>();
        for (LinearWeight w : model.model().linears()) {
            byName.put(w.name(), w);
        }
        long components = 0;
        long costs = 0;
        for (Scoped s : scope) {
            LinearWeight w = byName.get(s.trainingName());
            if (w == null || !(w.map() instanceof FactoredLinear f)) {
                throw new IllegalArgumentException("the training model holds no factored map " + s.trainingName());
            }
            if (f.rank() != s.base().maxRank()) {
                throw new IllegalArgumentException(s.trainingName() + " is held at rank " + f.rank() + ", SoCo needs its full "
                        + "rank " + s.base().maxRank());
            }
            NDArray d = f.down().parameters().get(0);
            down.add(d);
            NDArray copy = d.duplicate();
            copy.attach(manager);
            down0.add(copy);
            components += f.rank();
            costs += (long) f.rank() * (s.base().rows() + s.base().cols());
        }
        double mean = (double) costs / components;
        for (Scoped s : scope) {
            double cost = (s.base().rows() + s.base().cols()) / mean;
            double[] sigma = s.base().singularValues();
            double sq = 0;
            for (double v : sigma) {
                sq += v * v;
            }
            double rms = Math.sqrt(sq / sigma.length);
            float[] w = new float[sigma.length];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) (cost * Math.min(MAX_ADAPTIVE_WEIGHT, rms / Math.max(sigma[i], Double.MIN_NORMAL)));
            }
            NDArray weight = manager.create(w);
            penaltyWeight.add(weight);
        }
    }

    /**
     * Prepares training on {@code model} (its scoped down factors are trained in place; the caller owns and
     * closes the model) and runs the reference pass at {@code s = 1} over {@code calibration}.
     */
    public static SocoTrainer open(LoadedModel model, List<Scoped> scope, List<ProbeItem> calibration) {
        if (scope.isEmpty()) {
            throw new IllegalArgumentException("SoCo needs at least one matrix to score");
        }
        if (calibration.isEmpty()) {
            throw new IllegalArgumentException("SoCo needs at least one calibration item");
        }
        SocoTrainer t = new SocoTrainer(model, scope);
        try {
            // The reference pass runs exactly as training passes do (factors recording gradients, grad mode
            // on), so that at s = 1 the logits are bit for bit the reference's and the gradient is exactly 0.
            for (NDArray d : t.down) {
                d.setRequiresGradient(true);
            }
            for (ProbeItem item : calibration) {
                t.items.add(t.encode(item));
            }
            for (NDArray d : t.down) {
                d.setRequiresGradient(false);
            }
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
        return t;
    }

    private Item encode(ProbeItem item) {
        RgbImage image = item.image() == null ? null : RgbImage.read(item.image());
        long[] prompt = model.processor().encode(item.prompt(), image == null ? 0 : 1);
        long[] answer = item.expected() == null ? new long[0] : model.tokenizer().encode(item.expected(), false);
        // Fed: prompt + answer. Rows prompt−1 .. end predict each answer token and the end of sequence.
        long[] ids = new long[prompt.length + answer.length];
        System.arraycopy(prompt, 0, ids, 0, prompt.length);
        System.arraycopy(answer, 0, ids, prompt.length, answer.length);
        int from = prompt.length - 1;
        int rows = answer.length + 1;
        try (NDScope scope = new NDScope(); NDManager m = manager.newSubManager();
                GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            scope.suppressNotUsedWarning();
            NDArray z = rowsOf(ids, image, from, rows, m).stopGradient();
            return new Item(ids, image, from, rows, z.softmax(1).toFloatArray(), z.logSoftmax(1).toFloatArray());
        }
    }

    /** The logits {@code [rows, vocab]} at positions {@code from .. from + rows − 1}. */
    private NDArray rowsOf(long[] ids, RgbImage image, int from, int rows, NDManager m) {
        NDArray tokens = m.create(ids, new Shape(1, ids.length));
        NDArray pixels = image == null ? null : model.processor().pixelValues(List.of(image), m);
        NDArray logits = model.model().forward(tokens, pixels, Hooks.NONE, null);
        return logits.get(new NDIndex("0, {}:{}", from, from + rows));
    }

    /**
     * One item's deviation: {@code [KL, surrogate]}. KL is {@code KL(P ‖ Q)}, mean over the item's rows (a
     * value, no gradient); the surrogate {@code Σ (Q − P)·z / rows}, {@code Q} held fixed, has the KL's
     * gradient with respect to the logits {@code z}, {@code (Q − P)/rows}, computed so that it is exactly 0
     * where the logits are the reference's (KL's own backward, {@code Q·ΣP − P}, leaves rounding noise that
     * Adam would amplify into steps).
     */
    private NDArray[] deviation(Item item, NDManager m) {
        NDArray z = rowsOf(item.ids(), item.image(), item.from(), item.rows(), m);
        NDArray fixed = z.stopGradient();
        NDArray p = OwnedTensors.of(m, item.referenceProbs(), z.getShape());
        NDArray logP = OwnedTensors.of(m, item.referenceLogProbs(), z.getShape());
        NDArray kl = p.mul(logP.sub(fixed.logSoftmax(1))).sum().div((float) item.rows());
        NDArray surrogate = OwnedTensors.scale(z.mul(fixed.softmax(1).sub(p)).sum(), 1f / item.rows());
        return new NDArray[] {kl, surrogate};
    }

    /** The scoped matrices, in order. */
    public List<Scoped> scope() {
        return scope;
    }

    /** The calibration items' mean deviation with the scores given (per matrix, original key; absent = all 1). */
    public double deviation(Map<String, double[]> scores) {
        setScores(scores);
        double sum = 0;
        for (Item item : items) {
            sum += GradMode.off(() -> {
                try (NDScope s = new NDScope(); NDManager m = manager.newSubManager()) {
                    s.suppressNotUsedWarning();
                    return (double) deviation(item, m)[0].getFloat();
                }
            });
        }
        return sum / items.size();
    }

    private void setScores(Map<String, double[]> scores) {
        GradMode.off(() -> {
            try (NDScope s = new NDScope(); NDManager m = manager.newSubManager()) {
                s.suppressNotUsedWarning();
                for (int j = 0; j < scope.size(); j++) {
                    double[] given = scores.get(scope.get(j).name());
                    float[] f = new float[scope.get(j).base().maxRank()];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = given == null ? 1f : (float) given[i];
                    }
                    write(j, m.create(f));
                }
            }
            return null;
        });
    }

    /** {@code D_j = diag(s)·D₀_j}, in place (grad mode must be off). */
    private void write(int j, NDArray s) {
        NDArray d = down.get(j);
        d.set(new NDIndex(":"), down0.get(j).mul(s.reshape(s.size(), 1)));
    }

    /**
     * Trains the scores from 1 for {@code settings.steps()} steps towards {@code budget} parameters
     * ({@code Σ k_i·(m_i + n_i)} over the scope). The model's down factors end at the returned scores.
     */
    public Result train(long budget, SocoSettings settings, Progress progress) {
        int n = scope.size();
        Map<String, NDArray> scores = new LinkedHashMap<>();
        for (Scoped s : scope) {
            scores.put(s.name(), manager.ones(new Shape(s.base().maxRank())));
        }
        writeScores(scores, null);
        for (NDArray d : down) {
            d.setRequiresGradient(true);
        }
        Adam dense = new Adam(scores, manager, Adam.Normalization.GLOBAL);
        Adam sparse = new Adam(scores, manager, Adam.Normalization.PER_ELEMENT);
        Adam refit = null;
        int coarse = settings.coarseSteps();
        int refineEnd = settings.steps() - settings.finalSteps();
        double lambda = settings.initialPenalty();
        SocoSelection.Result selection = null;
        Map<String, NDArray> masks = null;
        List<Step> history = new ArrayList<>();
        int batch = settings.batchItems() == 0 ? items.size() : Math.min(settings.batchItems(), items.size());
        boolean fullBatch = batch == items.size();
        double bestDeviation = Double.POSITIVE_INFINITY;
        Map<String, double[]> best = null;
        int denseSteps = 0;
        int sparseSteps = 0;
        int finalStep = 0;
        for (int step = 0; step < settings.steps(); step++) {
            progress.checkCancelled();
            long started = System.nanoTime();
            String phase = step < coarse ? "coarse" : step < refineEnd ? "refine" : "final";
            if (phase.equals("final") && selection == null) {
                selection = SocoSelection.select(matrices(scores), budget);
                masks = masks(selection);
                startRefit(scores, masks);
                refit = new Adam(scores, manager, Adam.Normalization.PER_ELEMENT);
            }
            // Refinement alternates: a sparse step sees the model cut to the budget by the current |s|.
            boolean sparseStep = phase.equals("refine") && (step - coarse) % 2 == 0;
            Map<String, NDArray> stepMasks = masks;
            if (sparseStep) {
                stepMasks = masks(SocoSelection.select(matrices(scores), budget));
                writeScores(scores, stepMasks);
            }
            double penalty = phase.equals("final") || sparseStep ? 0 : lambda;
            double lr = settings.learningRate();
            if (phase.equals("final")) {
                // The final phase settles: a fraction of the rate, on a cosine down to a tenth of that.
                double at = settings.finalSteps() <= 1 ? 1 : (double) finalStep / (settings.finalSteps() - 1);
                lr *= FINAL_LR * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * at)));
            } else if (sparseStep) {
                lr *= SPARSE_LR;
            }
            double deviation = backward(step, batch);
            if (phase.equals("final") && fullBatch && deviation < bestDeviation) {
                bestDeviation = deviation;
                best = snapshot(scores);
            }
            Adam optimiser = phase.equals("final") ? refit : sparseStep ? sparse : dense;
            int at = phase.equals("final") ? finalStep++ : sparseStep ? sparseSteps++ : denseSteps++;
            Map<String, NDArray> keep = phase.equals("final") ? masks : null;
            update(scores, optimiser, at, lr, penalty, keep);
            if (sparseStep) {
                stepMasks.values().forEach(NDArray::close);
            }
            long active = SocoSelection.activeParameters(matrices(scores), settings.negligible());
            if (phase.equals("coarse")) {
                if (active > budget) {
                    lambda *= settings.penaltyGrowth();
                }
            } else if (phase.equals("refine") && !sparseStep) {
                lambda = active > budget ? lambda * settings.oscillation() : lambda / settings.oscillation();
            }
            history.add(new Step(step, sparseStep ? "sparse" : phase, deviation, penalty, active,
                    (System.nanoTime() - started) / 1e9));
            progress.update((double) (step + 1) / settings.steps(), String.format(Locale.ROOT,
                    "SoCo step %d/%d (%s): deviation %.4g, λ %.3g, %,d active parameters (budget %,d)", step + 1,
                    settings.steps(), phase, deviation, penalty, active, budget));
        }
        for (NDArray d : down) {
            d.setRequiresGradient(false);
        }
        Map<String, double[]> out = snapshot(scores);
        if (best != null && deviation(out) > bestDeviation) {
            // The final phase keeps the survivors' scores that fitted the calibration items best.
            out = best;
        }
        setScores(out);
        return new Result(out, selection, history);
    }

    /** Forward and backward passes over this step's items; the batch's mean deviation. Gradients accumulate on the down factors. */
    private double backward(int step, int batch) {
        double deviation = 0;
        for (int b = 0; b < batch; b++) {
            Item item = items.get((step * batch + b) % items.size());
            try (NDScope s = new NDScope(); NDManager m = manager.newSubManager()) {
                s.suppressNotUsedWarning();
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    NDArray[] d = deviation(item, m);
                    collector.backward(OwnedTensors.scale(d[1], 1f / batch));
                    deviation += d[0].getFloat() / batch;
                }
            }
        }
        return deviation;
    }

    /**
     * One optimiser step on the scores from the down factors' gradients (then zeroed), the penalty's
     * subgradient added; {@code keep} (or null) pins the dropped scores at 0. Writes the new scores.
     */
    private void update(Map<String, NDArray> scores, Adam optimiser, int at, double lr, double penalty,
            Map<String, NDArray> keep) {
        GradMode.off(() -> {
            try (NDScope s = new NDScope()) {
                s.suppressNotUsedWarning();
                Map<String, NDArray> grads = new LinkedHashMap<>();
                for (int j = 0; j < scope.size(); j++) {
                    String name = scope.get(j).name();
                    NDArray gradient = down.get(j).getGradient();
                    NDArray g = gradient.mul(down0.get(j)).sum(new int[] {1});
                    if (penalty > 0) {
                        g = g.add(scores.get(name).sign().mul(penaltyWeight.get(j)).mul((float) penalty));
                    }
                    if (keep != null) {
                        g = g.mul(keep.get(name));
                    }
                    grads.put(name, g);
                    gradient.muli(0f);
                }
                optimiser.step(grads, at, lr, 0, Double.POSITIVE_INFINITY);
                if (keep != null) {
                    for (Scoped sc : scope) {
                        scores.get(sc.name()).muli(keep.get(sc.name()));
                    }
                }
            }
            return null;
        });
        writeScores(scores, null);
    }

    /**
     * The final phase's start: the learned survivors' scores, or all survivors at 1 (a relaxed lasso: the
     * penalty shrank every score on the way), whichever fits the calibration items better.
     */
    private void startRefit(Map<String, NDArray> scores, Map<String, NDArray> masks) {
        Map<String, double[]> learned = new LinkedHashMap<>();
        Map<String, double[]> unit = new LinkedHashMap<>();
        for (Scoped s : scope) {
            double[] v = toDoubles(scores.get(s.name()));
            double[] k = toDoubles(masks.get(s.name()));
            double[] u = new double[v.length];
            for (int i = 0; i < v.length; i++) {
                v[i] *= k[i];
                u[i] = k[i];
            }
            learned.put(s.name(), v);
            unit.put(s.name(), u);
        }
        Map<String, double[]> start = deviation(unit) <= deviation(learned) ? unit : learned;
        GradMode.off(() -> {
            for (Scoped s : scope) {
                double[] v = start.get(s.name());
                float[] f = new float[v.length];
                for (int i = 0; i < f.length; i++) {
                    f[i] = (float) v[i];
                }
                scores.get(s.name()).set(f);
            }
            return null;
        });
        writeScores(scores, null);
    }

    private Map<String, NDArray> masks(SocoSelection.Result selection) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (int j = 0; j < scope.size(); j++) {
            boolean[] keep = selection.kept().get(j);
            float[] f = new float[keep.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = keep[i] ? 1f : 0f;
            }
            out.put(scope.get(j).name(), manager.create(f));
        }
        return out;
    }

    /** {@code D_j = diag(s_j ⊙ mask_j)·D₀_j} for every matrix ({@code masks} null: no mask). */
    private void writeScores(Map<String, NDArray> scores, Map<String, NDArray> masks) {
        GradMode.off(() -> {
            try (NDScope s = new NDScope()) {
                s.suppressNotUsedWarning();
                for (int j = 0; j < scope.size(); j++) {
                    String name = scope.get(j).name();
                    write(j, masks == null ? scores.get(name) : scores.get(name).mul(masks.get(name)));
                }
            }
            return null;
        });
    }

    private Map<String, double[]> snapshot(Map<String, NDArray> scores) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Scoped s : scope) {
            out.put(s.name(), toDoubles(scores.get(s.name())));
        }
        return out;
    }

    private List<SocoSelection.Matrix> matrices(Map<String, NDArray> scores) {
        List<SocoSelection.Matrix> out = new ArrayList<>();
        for (Scoped s : scope) {
            out.add(new SocoSelection.Matrix(s.name(), s.base().rows(), s.base().cols(), toDoubles(scores.get(s.name()))));
        }
        return out;
    }

    private static double[] toDoubles(NDArray a) {
        float[] f = a.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    @Override
    public void close() {
        manager.close();
    }
}
