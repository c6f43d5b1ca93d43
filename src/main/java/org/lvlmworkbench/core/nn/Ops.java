package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
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

    /** Llama RMSNorm: {@code x / sqrt(mean(x^2) + eps) * weight}, computed in float32 as HF does. */
    public static NDArray rmsNorm(NDArray x, NDArray weight, double eps) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add((float) eps).sqrt()).mul(weight);
    }

    /** The activation HF names {@code name}. */
    public static NDArray activation(String name, NDArray x) {
        return switch (name) {
            case "quick_gelu" -> x.mul(Activation.sigmoid(OwnedTensors.scale(x, 1.702f)));
            case "gelu" -> Activation.gelu(x);
            case "gelu_new", "gelu_pytorch_tanh" -> geluTanh(x);
            case "silu", "swish" -> x.mul(Activation.sigmoid(x));
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
