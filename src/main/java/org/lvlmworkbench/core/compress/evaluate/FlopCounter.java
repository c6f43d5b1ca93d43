package org.lvlmworkbench.core.compress.evaluate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lvlmworkbench.core.hooks.HookFunction;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;

/**
 * Counts what one generation actually ran. Attached as a pass-through replacement at the row points of a
 * {@link FlopModel} ({@code resid_pre} of every block, the projector's inputs) and at the logits, it reads
 * each activation's shape and returns the activation itself, so nothing is copied and the pass is
 * unchanged; only the logits of the first pass are read, when asked ({@code keepFirstLogits}), as the
 * first answer token's distribution. A pass ends at its logits: the first pass is the prefill, each later
 * one a decode step. The tokens a decoder layer sees are whatever reached it, so a sequence shortened after
 * some layer (visual-token pruning) counts fewer tokens from there on, in the prefill and in every decode
 * step's KV length.
 *
 * <p>One counter per generation: the KV lengths accumulate over its passes. Not thread-safe.
 */
public final class FlopCounter implements HookFunction {

    private final FlopModel model;
    private final boolean keepFirstLogits;
    private final long[] batch;
    private final long[] tokens;
    private final long[] seen;
    private final long[] keys;
    private final List<FlopCount> passes = new ArrayList<>();
    private float[] firstLogits;

    public FlopCounter(FlopModel model, boolean keepFirstLogits) {
        this.model = model;
        this.keepFirstLogits = keepFirstLogits;
        int n = model.slots();
        batch = new long[n];
        tokens = new long[n];
        seen = new long[n];
        keys = new long[n];
    }

    /** Adds this counter to {@code hooks} and returns them. */
    public Hooks attach(Hooks hooks) {
        return hooks.replace(model::observes, this);
    }

    @Override
    public NDArray apply(String point, NDArray activation) {
        Shape shape = activation.getShape();
        int rank = shape.dimension();
        long perSequence = rank >= 2 ? shape.get(rank - 2) : 1;
        long sequences = rank >= 2 ? shape.size() / (perSequence * shape.get(rank - 1)) : 1;
        if (HookPoints.LOGITS.equals(point)) {
            if (passes.isEmpty() && keepFirstLogits) {
                float[] all = activation.toFloatArray();
                long vocab = shape.get(rank - 1);
                // The last row of the first sequence: the distribution of the first answer token.
                int from = Math.toIntExact((perSequence - 1) * vocab);
                firstLogits = Arrays.copyOfRange(all, from, from + Math.toIntExact(vocab));
            }
            endPass(sequences * perSequence);
        } else {
            int s = model.slot(point);
            if (s >= 0) {
                batch[s] = sequences;
                tokens[s] = perSequence;
            }
        }
        return activation;
    }

    private void endPass(long logitRows) {
        for (int s = 0; s < tokens.length; s++) {
            if (model.cachedSlot(s)) {
                seen[s] += tokens[s];
                keys[s] = seen[s];
            } else {
                keys[s] = tokens[s];
            }
        }
        passes.add(model.count(batch, tokens, keys, logitRows));
        Arrays.fill(batch, 0);
        Arrays.fill(tokens, 0);
    }

    /** Every finished pass in order: the prefill, then one per decode step. */
    public List<FlopCount> passes() {
        return List.copyOf(passes);
    }

    /** The prefill, or {@link FlopCount#ZERO} before one ran. */
    public FlopCount prefill() {
        return passes.isEmpty() ? FlopCount.ZERO : passes.get(0);
    }

    /** All decode steps together. */
    public FlopCount decode() {
        FlopCount sum = FlopCount.ZERO;
        for (int i = 1; i < passes.size(); i++) {
            sum = sum.plus(passes.get(i));
        }
        return sum;
    }

    public int decodeSteps() {
        return Math.max(0, passes.size() - 1);
    }

    /** The logits of the last position of the first pass (the first answer token's), or null. */
    public float[] firstLogits() {
        return firstLogits;
    }
}
