package org.lvlmworkbench.core.optim;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * AdamW (decoupled weight decay, applied to matrices only, as is usual for transformers) with
 * global-norm gradient clipping. Updates run outside the gradient collector, where PyTorch allows
 * in-place writes to leaf tensors ({@link GradMode#off}).
 *
 * <p>Shared by the sample trainer (every weight) and SoCo (only the singular-component scores): it
 * sits on the runtime floor so that compression, below training, can use it too.
 *
 * <p>{@link Normalization#GLOBAL} keeps one second moment for all parameters together (the mean of
 * {@code g²}), instead of one per element: the step adapts its size to the gradients' scale but keeps
 * their relative sizes, so a parameter whose gradient is ten times another's moves ten times as far.
 * SoCo needs that: per-element Adam moves every score at about the learning rate whatever its gradient,
 * which erases the importance a sparsity penalty is meant to weigh against.
 */
public final class Adam {

    /** How the update is scaled: per element (Adam), or by one second moment for all parameters. */
    public enum Normalization {
        /** Adam: one second moment per element. */
        PER_ELEMENT,
        /** One second moment for all parameters: the mean of {@code g²}. */
        GLOBAL
    }

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final Map<String, NDArray> params;
    private final Map<String, NDArray> firstMoments = new LinkedHashMap<>();
    private final Map<String, NDArray> secondMoments = new LinkedHashMap<>();
    private final Normalization normalization;
    /** {@link Normalization#GLOBAL}'s second moment. */
    private double globalSecondMoment;

    public Adam(Map<String, NDArray> params, NDManager manager) {
        this(params, manager, Normalization.PER_ELEMENT);
    }

    public Adam(Map<String, NDArray> params, NDManager manager, Normalization normalization) {
        this.params = params;
        this.normalization = normalization;
        params.forEach((name, p) -> {
            firstMoments.put(name, manager.zeros(p.getShape()));
            if (normalization == Normalization.PER_ELEMENT) {
                secondMoments.put(name, manager.zeros(p.getShape()));
            }
        });
    }

    /** The first moments by parameter name (live arrays, for saving). */
    public Map<String, NDArray> firstMoments() {
        return firstMoments;
    }

    /** The second moments by parameter name (live arrays, for saving); empty under {@link Normalization#GLOBAL}. */
    public Map<String, NDArray> secondMoments() {
        return secondMoments;
    }

    /** Restores moments saved by an earlier run. */
    public void restore(Map<String, NDArray> first, Map<String, NDArray> second) {
        first.forEach((k, v) -> firstMoments.get(k).set(v.toFloatArray()));
        second.forEach((k, v) -> secondMoments.get(k).set(v.toFloatArray()));
    }

    /** Applies one update for {@code step} (0-based) and returns the gradient norm before clipping. */
    public double step(Map<String, NDArray> gradients, int step, double lr, double weightDecay, double clipNorm) {
        double sq = 0;
        long count = 0;
        for (NDArray g : gradients.values()) {
            sq += g.square().sum().getFloat();
            count += g.size();
        }
        double norm = Math.sqrt(sq);
        if (!Double.isFinite(norm)) {
            // One overflowing batch must not poison the moments; skip it and let the caller see why.
            return norm;
        }
        float scale = (float) (norm > clipNorm ? clipNorm / norm : 1.0);
        float c1 = (float) (1 - Math.pow(BETA1, step + 1));
        float c2 = (float) (1 - Math.pow(BETA2, step + 1));
        if (normalization == Normalization.GLOBAL) {
            globalSecondMoment = BETA2 * globalSecondMoment + (1 - BETA2) * scale * scale * sq / Math.max(1, count);
            float denominator = (float) (Math.sqrt(globalSecondMoment / c2) + EPS);
            for (Map.Entry<String, NDArray> e : gradients.entrySet()) {
                NDArray w = params.get(e.getKey());
                NDArray m = firstMoments.get(e.getKey());
                m.muli((float) BETA1).addi(e.getValue().mul(scale * (float) (1 - BETA1)));
                if (weightDecay > 0 && w.getShape().dimension() >= 2) {
                    w.muli((float) (1 - lr * weightDecay));
                }
                w.subi(m.div(c1 * denominator).muli((float) lr));
            }
            return norm;
        }
        for (Map.Entry<String, NDArray> e : gradients.entrySet()) {
            String name = e.getKey();
            NDArray w = params.get(name);
            NDArray g = e.getValue().mul(scale);
            NDArray m = firstMoments.get(name);
            NDArray v = secondMoments.get(name);
            m.muli((float) BETA1).addi(g.mul((float) (1 - BETA1)));
            v.muli((float) BETA2).addi(g.square().muli((float) (1 - BETA2)));
            NDArray update = m.div(c1).divi(v.div(c2).sqrt().addi((float) EPS));
            if (weightDecay > 0 && w.getShape().dimension() >= 2) {
                w.muli((float) (1 - lr * weightDecay));
            }
            w.subi(update.muli((float) lr));
        }
        return norm;
    }
}
