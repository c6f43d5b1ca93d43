package org.lvlmworkbench.core.config;

import java.util.Set;

/** Names of activation functions the model code implements, as HF spells them. */
public final class Activation {

    public static final Set<String> SUPPORTED = Set.of("quick_gelu", "gelu", "gelu_new", "gelu_pytorch_tanh",
            "silu", "swish", "relu");

    private Activation() {
    }

    public static void check(JsonFields f, String field, String name) {
        if (!SUPPORTED.contains(name)) {
            throw f.error(field, "activation '" + name + "' is not supported; known: " + SUPPORTED);
        }
    }
}
