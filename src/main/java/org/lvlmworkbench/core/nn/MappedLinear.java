package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.lvlmworkbench.core.jobs.Cancellation;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * {@code y = x Wᵀ + b} with {@code W} ({@code [out, in]}) read from the checkpoint's mapping in its
 * stored precision.
 *
 * <p>Two ways, chosen by how many rows {@code x} has. A few rows (a decoding step): the SIMD
 * matrix-vector kernel streams the weights from the mapping, which is what bounds a decoding step
 * (16-bit weights stream half the bytes of float32). Many rows (a prefill): the engine's GEMM runs on
 * a float32 view, the mapping itself for F32 weights, else the weight widened once into a float32
 * scratch buffer that every matrix shares (one matrix lives there at a time), the widening amortised
 * over the rows.
 */
public final class MappedLinear implements LinearMap {

    /** Up to this many rows take the matrix-vector kernel. */
    static final int MATVEC_ROWS = 4;

    private static final ThreadLocal<ByteBuffer> SCRATCH = new ThreadLocal<>();
    private static final ThreadLocal<java.util.Map<Integer, float[]>> OUT =
            ThreadLocal.withInitial(java.util.HashMap::new);

    private final MappedMatrix weight;
    private final NDArray bias;
    private final NDArray float32View;

    /** A 16-bit weight: widened for each GEMM. */
    public MappedLinear(MappedMatrix weight, NDArray bias) {
        this(weight, bias, null);
    }

    /** {@code float32View}: the same F32 weight as an engine array over the mapping, for GEMMs; null for 16-bit. */
    public MappedLinear(MappedMatrix weight, NDArray bias, NDArray float32View) {
        if (bias != null && bias.size() != weight.rows()) {
            throw new IllegalArgumentException("bias " + bias.getShape() + " does not fit " + weight.name());
        }
        this.weight = weight;
        this.bias = bias;
        this.float32View = float32View;
    }

    /** The same map with another bias. */
    public MappedLinear withBias(NDArray newBias) {
        return new MappedLinear(weight, newBias, float32View);
    }

    @Override
    public float[] weightRows() {
        return weight.toFloatArray();
    }

    /**
     * Whether this weight is being trained (an F32 view that records gradients): then every use must
     * go through the engine, since the Java kernels and row gathers are outside autograd.
     */
    public boolean training() {
        return float32View != null && float32View.hasGradient();
    }

    /** The F32 weight as an engine array over the mapping, or null for a 16-bit weight. */
    public NDArray float32View() {
        return float32View;
    }

    public MappedMatrix weight() {
        return weight;
    }

    /** The bias, or null when the layer has none. */
    public NDArray bias() {
        return bias;
    }

    @Override
    public NDArray apply(NDArray x) {
        Cancellation.check();
        Shape shape = x.getShape();
        long in = shape.get(shape.dimension() - 1);
        if (in != weight.cols()) {
            throw new IllegalArgumentException(weight.name() + " takes " + weight.cols() + " features, got " + shape);
        }
        long rows = shape.size() / in;
        Shape outShape = shape.slice(0, shape.dimension() - 1).add(weight.rows());
        // The Java kernel is outside autograd: anything that trains takes the engine's product.
        boolean training = training() || (float32View != null && x.hasGradient());
        NDArray y = rows <= MATVEC_ROWS && !training ? multiply(x, (int) rows, outShape) : gemm(x);
        return bias == null ? y : y.add(bias);
    }

    private NDArray multiply(NDArray x, int rows, Shape outShape) {
        // One reused output array per size (a model has a handful): a decoding step makes hundreds of
        // products, and fresh arrays would only grow the heap.
        float[] out = OUT.get().computeIfAbsent(rows * weight.rows(), float[]::new);
        weight.multiply(x.toType(DataType.FLOAT32, false).toFloatArray(), rows, out);
        return OwnedTensors.of(x.getManager(), out, outShape);
    }

    private NDArray gemm(NDArray x) {
        if (float32View != null) {
            return ai.djl.nn.core.Linear.linear(x, float32View, null).singletonOrThrow();
        }
        if (weight.dtype() == DType.BF16 && Bf16Gemm.enabled()) {
            return Bf16Gemm.multiply(x, weight);
        }
        long bytes = weight.rows() * (long) weight.cols() * Float.BYTES;
        ByteBuffer scratch = scratch(bytes);
        weight.widenInto(scratch);
        NDManager manager = x.getManager();
        // The engine reads the scratch buffer in place; the product is complete before the buffer is reused.
        try (NDArray w = manager.create(scratch.slice(0, (int) bytes).order(ByteOrder.nativeOrder()),
                new Shape(weight.rows(), weight.cols()), DataType.FLOAT32)) {
            return ai.djl.nn.core.Linear.linear(x, w, null).singletonOrThrow();
        }
    }

    /** The shared float32 scratch buffer of this thread, grown to {@code bytes}. */
    private static ByteBuffer scratch(long bytes) {
        ByteBuffer b = SCRATCH.get();
        if (b == null || b.capacity() < bytes) {
            b = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
            SCRATCH.set(b);
        }
        return b;
    }

    @Override
    public long inFeatures() {
        return weight.cols();
    }

    @Override
    public long outFeatures() {
        return weight.rows();
    }

    /** {@code out·in} (+ {@code out} with a bias), counted from the shapes: works for 16-bit weights too. */
    @Override
    public long parameterCount() {
        return (long) weight.rows() * weight.cols() + (bias == null ? 0 : bias.size());
    }

    @Override
    public List<NDArray> parameters() {
        if (float32View != null) {
            return bias == null ? List.of(float32View) : List.of(float32View, bias);
        }
        throw new UnsupportedOperationException(weight.name() + " is kept in " + weight.dtype()
                + " and cannot be trained; open the model with -Dlvlm.weights=f32 to train it");
    }
}
