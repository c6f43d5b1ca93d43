package org.lvlmworkbench.core.compress.depth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.analysis.probe.EncodedProbe;
import org.lvlmworkbench.core.analysis.probe.ProbeEncoder;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.compress.apply.PlanApplier;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.ForwardInputs;

/**
 * SLM's sliding-window layer merging (arXiv 2502.19159; its code {@code SLM.py}), from the top of the
 * decoder down: a window {@code low..high} grows downwards while the model with that window merged
 * keeps its last hidden state close to the original's (mean cosine over the calibration items above
 * {@code threshold}, default 0.72); when the next layer would break that, the window so far (if it
 * holds at least two layers) is committed and a new window starts below it; a one-layer window just
 * slides down. The last layer is never merged ({@code high} starts at {@code L − 2}, as the code).
 *
 * <p>Each candidate is a real model, rebuilt by {@link PlanApplier} with the committed merges plus
 * the window, and merged with the chosen formula — {@link MergeFormula#RDSC} by default, the
 * paper's; the published code's in-place update copies the top layer instead, available as
 * {@link MergeFormula#COPY_TOP} for comparison only.
 *
 * <p>"Last hidden state" is what transformers reports as {@code hidden_states[-1]}: the final norm's
 * output, at the positions of {@code selection}, flattened per item; the similarity is the mean over
 * items of the cosine between the original's and the candidate's flattened vectors (the code's
 * {@code cos(flatten(...), flatten(...))}).
 */
public final class SlidingWindowMerge {

    public static final double DEFAULT_THRESHOLD = 0.72;

    /** One candidate the search tried: the window, its similarity, and whether it was accepted. */
    public record Step(int low, int high, double similarity, boolean accepted) {
    }

    /** The plan with the committed merges, and every candidate tried in order. */
    public record Result(CompressionPlan plan, List<Step> steps) {
    }

    private SlidingWindowMerge() {
    }

    /**
     * Searches merges on top of {@code base}'s depth changes (its ranks are set aside while searching,
     * and kept in the result where their layers survive).
     */
    public static Result search(LoadedModel original, CompressionPlan base, List<ProbeItem> items, double threshold,
            TokenSelection selection, MergeFormula formula, Progress progress) {
        if (!(threshold > -1 && threshold < 1)) {
            throw new IllegalArgumentException("threshold must be a cosine in (-1, 1), got " + threshold);
        }
        var shape = PlanApplier.shapeOf(original);
        List<float[]> reference = lastHidden(original, items, selection);
        CompressionPlan committed = base.withRanks(java.util.Map.of());
        List<Step> steps = new ArrayList<>();
        int layers = shape.decoderLayers();
        int high = layers - 2;
        int low = high - 1;
        while (low >= 0) {
            progress.checkCancelled();
            progress.update(1 - (double) low / Math.max(1, layers - 2), "SLM: trying layers " + low + ".." + high);
            boolean free = true;
            for (int l = low; l <= high; l++) {
                free &= committed.keepsLayer(l) && committed.mergeOf(l) == null && !committed.droppedAttention().contains(l)
                        && !committed.droppedMlp().contains(l);
            }
            double similarity = Double.NaN;
            boolean accepted = false;
            if (free) {
                CompressionPlan candidate = committed.withMerge(new MergeGroup(low, high, formula));
                try (LoadedModel merged = PlanApplier.apply(original, shape, candidate, (m, w, r, g) -> {
                    throw new IllegalStateException("no ranks while searching merges");
                })) {
                    similarity = similarity(reference, lastHidden(merged, items, selection));
                }
                accepted = similarity > threshold;
            }
            steps.add(new Step(low, high, similarity, accepted));
            if (accepted) {
                low--;
                continue;
            }
            if (high - (low + 1) >= 1) {
                committed = committed.withMerge(new MergeGroup(low + 1, high, formula));
                high = low;
            } else {
                high--;
            }
            low = high - 1;
        }
        if (high - (low + 1) >= 1 && low + 1 >= 0 && !steps.isEmpty() && steps.get(steps.size() - 1).accepted()) {
            committed = committed.withMerge(new MergeGroup(low + 1, high, formula)); // the window reached layer 0
        }
        CompressionPlan result = committed;
        for (var e : base.ranks().entrySet()) {
            var m = shape.matrices().get(e.getKey());
            if (!m.component().equals("text") || result.keepsLayer(m.layer()) && result.mergeOf(m.layer()) == null) {
                result = result.withRank(e.getKey(), e.getValue());
            }
        }
        progress.update(1, "SLM: " + result.merges().size() + " merge group(s)");
        return new Result(result, List.copyOf(steps));
    }

    /** Mean over items of the cosine between the flattened vectors. */
    static double similarity(List<float[]> a, List<float[]> b) {
        double sum = 0;
        for (int i = 0; i < a.size(); i++) {
            float[] x = a.get(i);
            float[] y = b.get(i);
            double dot = 0;
            double xx = 0;
            double yy = 0;
            for (int j = 0; j < x.length; j++) {
                dot += (double) x[j] * y[j];
                xx += (double) x[j] * x[j];
                yy += (double) y[j] * y[j];
            }
            sum += xx == 0 || yy == 0 ? 0 : dot / Math.sqrt(xx * yy);
        }
        return sum / a.size();
    }

    /** Per item, the final norm's output at the selected positions, flattened. */
    static List<float[]> lastHidden(LoadedModel model, List<ProbeItem> items, TokenSelection selection) {
        List<float[]> out = new ArrayList<>();
        for (ProbeItem item : items) {
            try (NDManager scope = model.model().manager().newSubManager()) {
                EncodedProbe probe = ProbeEncoder.encode(model, item, scope);
                int[] rows = probe.table().positions(selection::accepts);
                float[][] captured = new float[1][];
                Hooks hooks = new Hooks().replace(HookPoints.FINAL_NORM, (point, x) -> {
                    float[][] r = DepthScores.rows(x, rows);
                    int width = (int) x.getShape().get(2);
                    float[] flat = new float[r.length * width];
                    for (int i = 0; i < r.length; i++) {
                        System.arraycopy(r[i], 0, flat, i * width, width);
                    }
                    captured[0] = flat;
                    return x;
                });
                NDArray ids = scope.create(probe.promptIds(), new Shape(1, probe.promptIds().length));
                model.model().forward(ForwardInputs.of(ids, probe.pixelValues()).lastLogitsOnly(), hooks, null).close();
                out.add(captured[0]);
            }
        }
        return out;
    }
}
