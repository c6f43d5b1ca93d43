package org.lvlmworkbench.core.arch.llama;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.lvlmworkbench.core.model.ArchitectureFamily;
import org.lvlmworkbench.core.model.TextOnlyProcessor;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.Processor;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.TextTokenizer;
import org.lvlmworkbench.core.safetensors.Checkpoint;

/** Text-only Llama and Qwen2 ({@code LlamaForCausalLM}, {@code Qwen2ForCausalLM}). */
public final class LlamaFamily implements ArchitectureFamily {

    @Override
    public String displayName() {
        return "Llama-family causal LM (Llama, Qwen2)";
    }

    @Override
    public List<String> modelTypes() {
        return DecoderConfig.SUPPORTED_TYPES;
    }

    @Override
    public LanguageModel build(JsonFields config, Checkpoint checkpoint, NDManager manager) {
        return new LlamaForCausalLm(DecoderConfig.parse(config), new WeightLoader(checkpoint, manager), manager);
    }

    @Override
    public Processor processor(Path folder, JsonFields config, LanguageModel model, TextTokenizer tokenizer,
            ChatTemplate template) {
        return TextOnlyProcessor.forModel(folder, config, model, tokenizer, template);
    }
}
