package org.lvlmworkbench.core.arch.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.ComponentSizes;
import org.lvlmworkbench.core.model.ForwardInputs;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.nn.ForwardScope;
import org.lvlmworkbench.core.nn.KvCache;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.nn.ModelParameters;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.safetensors.DType;

/** Text-only HF {@code LlamaForCausalLM} / {@code Qwen2ForCausalLM}: keys under {@code model.}. */
public final class LlamaForCausalLm implements LanguageModel {

    private final DecoderConfig config;
    private final NDManager manager;
    private final LlamaDecoder decoder;
    private final ModelParameters parameters;

    public LlamaForCausalLm(DecoderConfig config, WeightLoader w, NDManager manager) {
        this.config = config;
        this.manager = manager;
        this.decoder = new LlamaDecoder(config, w, "model.", "lm_head.weight");
        this.parameters = ModelParameters.of(w, manager);
    }

    @Override
    public String modelType() {
        return config.modelType();
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public LlamaDecoder decoder() {
        return decoder;
    }

    @Override
    public NDArray forward(ForwardInputs inputs, Hooks hooks, KvCache cache) {
        if (inputs.pixelValues() != null) {
            throw new IllegalArgumentException(config.modelType() + " is a text-only model; it takes no image");
        }
        NDArray tokenIds = inputs.tokenIds();
        return ForwardScope.run(tokenIds.getManager(),
                () -> decoder.forward(decoder.embed(tokenIds), inputs.positionIds(), inputs.logitRows(), cache,
                        hooks));
    }

    @Override
    public String keyLayout() {
        return "causal LM (model.*, lm_head.weight)";
    }

    @Override
    public List<ModelCard.Section> describe() {
        return List.of(decoder.describe());
    }

    @Override
    public List<String> hookPoints() {
        return decoder.hookPoints();
    }

    @Override
    public List<LinearWeight> linears() {
        List<LinearWeight> out = new ArrayList<>();
        for (LlamaDecoder.Layer layer : decoder.layers()) {
            out.addAll(layer.linears());
        }
        return out;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return parameters.float32();
    }

    @Override
    public Map<String, Long> parameterSizes() {
        return parameters.sizes();
    }

    @Override
    public List<ComponentSize> components() {
        return ComponentSizes.group(parameters.sizes(), parameters.storedTypes(), key -> {
            if (key.startsWith("model.embed_tokens")) {
                return "embed_tokens";
            }
            if (key.startsWith("model.layers.")) {
                return "decoder_layers";
            }
            if (key.startsWith("model.norm.")) {
                return "final_norm";
            }
            return key.equals("lm_head.weight") ? "lm_head" : "other";
        });
    }

    @Override
    public void close() {
        manager.close();
    }
}
