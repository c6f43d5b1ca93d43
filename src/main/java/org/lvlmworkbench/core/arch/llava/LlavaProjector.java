package org.lvlmworkbench.core.arch.llava;

import ai.djl.ndarray.NDArray;
import java.util.List;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.nn.LinearMap;
import org.lvlmworkbench.core.nn.Ops;

/** LLaVA's multimodal projector: linear, activation, linear, from vision width to text width. */
public final class LlavaProjector {

    public final LinearMap linear1;
    public final LinearMap linear2;
    private final String activation;
    private final String prefix;

    public LlavaProjector(WeightLoader w, String prefix, long visionWidth, long textWidth, boolean bias,
            String activation) {
        this.linear1 = w.linear(prefix + "linear_1", textWidth, visionWidth, bias);
        this.linear2 = w.linear(prefix + "linear_2", textWidth, textWidth, bias);
        this.activation = activation;
        this.prefix = prefix;
    }

    /** {@code features} {@code [images, patches, vision width · layers]} → {@code [images, patches, text width]}. */
    public NDArray apply(NDArray features, Hooks hooks) {
        NDArray in = hooks.at(HookPoints.PROJECTOR_IN, features);
        return linear2.apply(hooks.at(HookPoints.PROJECTOR_HIDDEN, Ops.activation(activation, linear1.apply(in))));
    }

    /** Its two linear maps with their checkpoint keys and input hook points. */
    public List<LinearWeight> linears() {
        return List.of(new LinearWeight(prefix + "linear_1.weight", "projector", -1, "linear_1", HookPoints.PROJECTOR_IN,
                linear1), new LinearWeight(prefix + "linear_2.weight", "projector", -1, "linear_2",
                        HookPoints.PROJECTOR_HIDDEN, linear2));
    }

}
