package org.lvlmworkbench.core.arch;

import ai.djl.ndarray.NDManager;
import java.util.List;
import org.lvlmworkbench.core.arch.llama.LlamaForCausalLm;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.arch.llava.LlavaModel;
import org.lvlmworkbench.core.config.DecoderConfig;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.config.LlavaConfig;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.WeightLoader;
import org.lvlmworkbench.core.safetensors.Checkpoint;

/**
 * The architectures this build can open, keyed by {@code config.json}'s {@code model_type}. A new
 * family (LLaVA-NeXT, Idefics3, Qwen2-VL) adds its package under {@code core.arch} and a case here.
 */
public final class Architectures {

    public static final List<String> SUPPORTED = List.of("llava", "llama", "qwen2");

    private Architectures() {
    }

    public static LanguageModel build(JsonFields config, Checkpoint checkpoint, NDManager manager) {
        String type = config.string("model_type");
        WeightLoader weights = new WeightLoader(checkpoint, manager);
        return switch (type) {
            case "llava" -> new LlavaModel(LlavaConfig.parse(config), LlavaKeyLayout.detect(checkpoint), weights, manager);
            case "llama", "qwen2" -> new LlamaForCausalLm(DecoderConfig.parse(config), weights, manager);
            default -> throw config.error("model_type", "'" + type + "' is not supported yet; this build opens "
                    + SUPPORTED);
        };
    }

    /** Whether the model type takes images (and so needs an image processor). */
    public static boolean isVisionLanguage(String modelType) {
        return modelType.equals("llava");
    }
}
