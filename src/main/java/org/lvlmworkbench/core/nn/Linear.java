package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * A dense affine map {@code y = x W^T + b} with HF's weight layout {@code [out, in]}. Compression
 * replaces instances of this with factored forms behind the same call.
 */
public final class Linear implements LinearMap {

    private final NDArray weight;
    private final NDArray bias;

    public Linear(NDArray weight, NDArray bias) {
        if (weight.getShape().dimension() != 2) {
            throw new IllegalArgumentException("linear weight must be 2-D, got " + weight.getShape());
        }
        if (bias != null && bias.getShape().size() != weight.getShape().get(0)) {
            throw new IllegalArgumentException("bias " + bias.getShape() + " does not fit weight " + weight.getShape());
        }
        this.weight = weight;
        this.bias = bias;
    }

    @Override
    public NDArray apply(NDArray x) {
        org.lvlmworkbench.core.jobs.Cancellation.check();
        return ai.djl.nn.core.Linear.linear(x, weight, bias).singletonOrThrow();
    }

    @Override
    public float[] weightRows() {
        return weight.toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray();
    }

    public NDArray weight() {
        return weight;
    }

    /** The bias, or null when the layer has none. */
    public NDArray bias() {
        return bias;
    }

    @Override
    public long inFeatures() {
        return weight.getShape().get(1);
    }

    @Override
    public long outFeatures() {
        return weight.getShape().get(0);
    }

    @Override
    public List<NDArray> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }
}
