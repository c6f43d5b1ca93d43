package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Tensors made from Java arrays whose memory PyTorch owns.
 *
 * <p>DJL's PyTorch engine wraps Java direct buffers without copying ({@code from_blob}); only the
 * Java NDArray keeps the buffer alive. A forward pass closes its scratch arrays when it returns, but
 * autograd may still read them during {@code backward()}: rotary tables, masks and gather indices
 * would then be read from freed memory, silently corrupting gradients. A clone gives PyTorch its
 * own reference-counted copy, which lives exactly as long as the graph needs it.
 *
 * <p>The same holds for DJL's scalar overloads ({@code x.mul(2f)}): they wrap the scalar in a
 * borrowed buffer and close it straight after the op, while the multiplication's backward still
 * reads it. Differentiable code multiplies by {@link #scalar} instead. Adding a scalar is safe
 * (its backward never reads the scalar), so {@code add(float)} stays.
 */
public final class OwnedTensors {

    private OwnedTensors() {
    }

    public static NDArray of(NDManager manager, float[] data, Shape shape) {
        return own(manager.create(data, shape));
    }

    public static NDArray of(NDManager manager, long[] data) {
        return own(manager.create(data));
    }

    /** A 0-d float tensor PyTorch owns, on the manager's device. */
    public static NDArray scalar(NDManager manager, float value) {
        return own(manager.create(value));
    }

    /** {@code x * value}, safe to differentiate. */
    public static NDArray scale(NDArray x, float value) {
        return x.mul(scalar(x.getManager(), value));
    }

    private static NDArray own(NDArray wrapped) {
        NDArray owned = wrapped.duplicate();
        wrapped.close();
        return owned;
    }
}
