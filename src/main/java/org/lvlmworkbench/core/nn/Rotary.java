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

    /** {@code [cos, sin]}, each {@code [T, D]}, for explicit positions (a pruned sequence keeps its own). */
    public NDArray[] table(NDManager manager, long[] positions) {
        int length = positions.length;
        int half = inverseFrequencies.length;
        int dim = half * 2;
        float[] cos = new float[length * dim];
        float[] sin = new float[length * dim];
        for (int p = 0; p < length; p++) {
            float pos = positions[p];
            for (int i = 0; i < half; i++) {
                float angle = pos * inverseFrequencies[i];
                float c = (float) Math.cos(angle);
                float s = (float) Math.sin(angle);
                cos[p * dim + i] = c;
                cos[p * dim + half + i] = c;
                sin[p * dim + i] = s;
                sin[p * dim + half + i] = s;
            }
        }
        Shape shape = new Shape(length, dim);
        return new NDArray[] {OwnedTensors.of(manager, cos, shape), OwnedTensors.of(manager, sin, shape)};
    }

    /** Rotates {@code x} of shape {@code [B, H, T, D]} by the table from {@link #table}. */
    public static NDArray apply(NDArray x, NDArray[] table) {
        NDList halves = x.split(2, x.getShape().dimension() - 1);
        NDArray rotated = halves.get(1).neg().concat(halves.get(0), -1);
        return x.mul(table[0]).add(rotated.mul(table[1]));
    }
}
