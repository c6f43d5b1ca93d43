package org.lvlmworkbench.core.arch.llava;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.lvlmworkbench.core.model.ArchitectureFamily;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.Processor;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.ClipImageProcessor;
import org.lvlmworkbench.core.processing.TextTokenizer;
import org.lvlmworkbench.core.safetensors.Checkpoint;

/** LLaVA-1.5: CLIP ViT, two-layer MLP projector, Llama-family decoder. */
public final class LlavaFamily implements ArchitectureFamily {

    @Override
    public String displayName() {
        return "LLaVA-1.5 (CLIP ViT + MLP projector + Llama)";
    }

    @Override
    public List<String> modelTypes() {
        return List.of("llava");
    }

    @Override
    public LanguageModel build(JsonFields config, Checkpoint checkpoint, NDManager manager) {
        return new LlavaModel(LlavaConfig.parse(config), LlavaKeyLayout.detect(checkpoint),
                new WeightLoader(checkpoint, manager), manager);
    }

    @Override
    public Processor processor(Path folder, JsonFields config, LanguageModel model, TextTokenizer tokenizer,
            ChatTemplate template) {
        LlavaModel llava = (LlavaModel) model;
        return new LlavaProcessor(tokenizer, template, ClipImageProcessor.load(folder), llava.imageTokenId(),
                llava.config().tokensPerImage());
    }
}
