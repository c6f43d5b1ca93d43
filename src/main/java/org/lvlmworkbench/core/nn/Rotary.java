package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/** Rotary position embedding in HF Llama's half-split layout ({@code rotate_half}). */
public final class Rotary {

    private final float[] inverseFrequencies;

    public Rotary(float[] inverseFrequencies) {
        this.inverseFrequencies = inverseFrequencies.clone();
    }

    /** {@code [cos, sin]}, each {@code [T, D]}, for positions {@code start .. start+T-1}. */
    public NDArray[] table(NDManager manager, long start, long length) {
        long[] positions = new long[Math.toIntExact(length)];
        for (int p = 0; p < positions.length; p++) {
            positions[p] = start + p;
        }
        return table(manager, positions);
    }

    /**
     * {@code [cos, sin]}, each {@code [T, D]}, for explicit positions (a pruned sequence keeps its own).
     * As HF's {@code LlamaRotaryEmbedding}: float32 angles {@code position · inv_freq}, duplicated to
     * the full head, then torch's own float32 {@code cos} and {@code sin} (which differ from the
     * correctly rounded values in the last bit for a few percent of the angles).
     */
    public NDArray[] table(NDManager manager, long[] positions) {
        int length = positions.length;
        int half = inverseFrequencies.length;
        int dim = half * 2;
        float[] angles = new float[length * dim];
        for (int p = 0; p < length; p++) {
            float pos = positions[p];
            for (int i = 0; i < half; i++) {
                float angle = pos * inverseFrequencies[i];
                angles[p * dim + i] = angle;
                angles[p * dim + half + i] = angle;
            }
        }
        NDArray emb = OwnedTensors.of(manager, angles, new Shape(length, dim));
        NDArray[] table = {emb.cos(), emb.sin()};
        emb.close();
        return table;
    }

    /** Rotates {@code x} of shape {@code [B, H, T, D]} by the table from {@link #table}. */
    public static NDArray apply(NDArray x, NDArray[] table) {
        NDList halves = x.split(2, x.getShape().dimension() - 1);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), -1);
        return x.mul(table[0]).add(rotated.mul(table[1]));
    }
}
