package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;

/** Tensor operations the architectures share, each matching its HF/PyTorch definition. */
public final class Ops {

    private static final float SQRT_2_OVER_PI = (float) Math.sqrt(2 / Math.PI);

    private Ops() {
    }

    public static NDArray layerNorm(NDArray x, NDArray gamma, NDArray beta, double eps) {
        Shape normalized = new Shape(x.getShape().get(x.getShape().dimension() - 1));
        return LayerNorm.layerNorm(x, normalized, gamma, beta, (float) eps).singletonOrThrow();
    }

    /**
     * Llama RMSNorm as HF computes it: {@code weight * (x * rsqrt(mean(x^2) + eps))}.
     *
     * <p>The order matters at this model scale: torch's float32 {@code sqrt} kernel is not correctly
     * rounded (about one value in five is an ulp off), while {@code rsqrt} is exactly
     * {@code 1f / sqrtf(v)} with a correctly rounded square root. DJL has no {@code rsqrt}, so the
     * square root is taken in float64 and rounded to float32 (which gives the correctly rounded
     * float32 root), then inverted and multiplied in, as HF does.
     */
    public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        NDArray variance = x.square().mean(new int[] {-1}, true).add((float) eps);
        DataType type = variance.getDataType();
        // The engine's cast (toType) is outside autograd: a gradient would treat the normaliser as a
        // constant and be wrong for everything below the norm. Training (a norm weight that records
        // gradients; the engine reports no requires-grad on intermediates) takes the plain float32 root,
        // inference the float64 one, which rounds as torch's float32 rsqrt does.
        boolean training = weight.hasGradient() || x.hasGradient();
        NDArray root = type == DataType.FLOAT64 || training ? variance.sqrt()
                : variance.toType(DataType.FLOAT64, false).sqrt().toType(type, false);
        NDArray inverse = OwnedTensors.scalar(x.getManager(), 1f).toType(type, false).div(root);
        return weight.mul(x.mul(inverse));
    }

    /** The activation HF names {@code name}. */
    public static NDArray activation(String name, NDArray x) {
        return switch (name) {
            case "quick_gelu" -> x.mul(Activation.sigmoid(OwnedTensors.scale(x, 1.702f)));
            case "gelu" -> Activation.gelu(x);
            case "gelu_new", "gelu_pytorch_tanh" -> geluTanh(x);
            // torch's silu kernel computes x / (1 + exp(-x)), not x · sigmoid(x).
            case "silu", "swish" -> x.div(x.neg().exp().add(1f));
            case "relu" -> Activation.relu(x);
            default -> throw new IllegalArgumentException("unsupported activation '" + name + "'");
        };
    }

    private static NDArray geluTanh(NDArray x) {
        NDArray cube = x.mul(x).mul(x);
        NDArray inner = OwnedTensors.scale(x.add(OwnedTensors.scale(cube, 0.044715f)), SQRT_2_OVER_PI);
        return OwnedTensors.scale(x, 0.5f).mul(inner.tanh().add(1f));
    }
}
