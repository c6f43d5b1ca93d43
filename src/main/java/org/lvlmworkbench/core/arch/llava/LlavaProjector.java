package org.lvlmworkbench.core.arch.llava;

import ai.djl.ndarray.NDArray;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.nn.LinearMap;
import org.lvlmworkbench.core.nn.Ops;

/** LLaVA's multimodal projector: linear, activation, linear, from vision width to text width. */
public final class LlavaProjector {

    public final LinearMap linear1;
    public final LinearMap linear2;
    private final String activation;

    public LlavaProjector(WeightLoader w, String prefix, long visionWidth, long textWidth, boolean bias,
            String activation) {
        this.linear1 = w.linear(prefix + "linear_1", textWidth, visionWidth, bias);
        this.linear2 = w.linear(prefix + "linear_2", textWidth, textWidth, bias);
        this.activation = activation;
    }

    public NDArray apply(NDArray features) {
        return linear2.apply(Ops.activation(activation, linear1.apply(features)));
    }

}
