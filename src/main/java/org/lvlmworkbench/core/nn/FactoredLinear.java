package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.List;

/**
 * A low-rank affine map {@code y = (x·Dᵀ)·Uᵀ + b}: the down factor {@code D [rank, in]} then the up
 * factor {@code U [out, rank]}, what SVD compression stores instead of the dense {@code [out, in]}
 * weight ({@code rank·(in + out)} numbers instead of {@code in·out}). In a checkpoint the two factors
 * sit under {@code NAME.down.weight} and {@code NAME.up.weight} and the bias, if any, keeps its
 * dense name {@code NAME.bias}; {@link WeightLoader#linear} builds one of these when it finds them.
 */
public final class FactoredLinear implements LinearMap {

    private final LinearMap down;
    private final LinearMap up;
    private final NDArray bias;

    /**
     * @param down {@code in → rank}, no bias
     * @param up   {@code rank → out}, no bias
     * @param bias {@code [out]} or null
     */
    public FactoredLinear(LinearMap down, LinearMap up, NDArray bias) {
        if (down.outFeatures() != up.inFeatures()) {
            throw new IllegalArgumentException("factors do not chain: down gives " + down.outFeatures()
                    + " features, up takes " + up.inFeatures());
        }
        if (bias != null && bias.size() != up.outFeatures()) {
            throw new IllegalArgumentException("bias " + bias.getShape() + " does not fit " + up.outFeatures() + " outputs");
        }
        this.down = down;
        this.up = up;
        this.bias = bias;
    }

    public int rank() {
        return Math.toIntExact(down.outFeatures());
    }

    public LinearMap down() {
        return down;
    }

    public LinearMap up() {
        return up;
    }

    /** The bias, or null. */
    public NDArray bias() {
        return bias;
    }

    @Override
    public NDArray apply(NDArray x) {
        NDArray inner = down.apply(x); // [..., in] → [..., rank]
        NDArray y = up.apply(inner); // [..., rank] → [..., out]
        inner.close();
        if (bias == null) {
            return y;
        }
        NDArray withBias = y.add(bias);
        y.close();
        return withBias;
    }

    @Override
    public long inFeatures() {
        return down.inFeatures();
    }

    @Override
    public long outFeatures() {
        return up.outFeatures();
    }

    /** The product {@code U·D}, {@code [out, in]} row-major float32, accumulated in double. */
    @Override
    public float[] weightRows() {
        int out = Math.toIntExact(outFeatures());
        int in = Math.toIntExact(inFeatures());
        int r = rank();
        float[] u = up.weightRows(); // [out, r]
        float[] d = down.weightRows(); // [r, in]
        float[] w = new float[Math.multiplyExact(out, in)];
        double[] row = new double[in];
        for (int i = 0; i < out; i++) {
            java.util.Arrays.fill(row, 0);
            for (int j = 0; j < r; j++) {
                double uij = u[i * r + j];
                int base = j * in;
                for (int c = 0; c < in; c++) {
                    row[c] += uij * d[base + c];
                }
            }
            for (int c = 0; c < in; c++) {
                w[i * in + c] = (float) row[c];
            }
        }
        return w;
    }

    /** {@code rank·(in + out)} plus the bias, counted from the factors' shapes (16-bit factors included). */
    @Override
    public long parameterCount() {
        return down.parameterCount() + up.parameterCount() + (bias == null ? 0 : bias.size());
    }

    @Override
    public List<NDArray> parameters() {
        List<NDArray> out = new ArrayList<>(down.parameters());
        out.addAll(up.parameters());
        if (bias != null) {
            out.add(bias);
        }
        return out;
    }
}
