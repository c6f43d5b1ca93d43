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
import org.lvlmworkbench.core.processing.TextTokenizer.VocabLimit;
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
        VocabLimit vocab = VocabLimit.of(model.decoder().vocabSize(), config.object("text_config"), "vocab_size");
        checkVocabulary(config, tokenizer, llava.imageTokenId(), vocab);
        return new LlavaProcessor(tokenizer, template, ClipImageProcessor.load(folder), llava.imageTokenId(),
                llava.config().tokensPerImage(), vocab);
    }

    /**
     * Load-time checks that the tokenizer and config.json belong together, each naming its own
     * cause: (1) every id the tokenizer can produce has a row in the embedding table; (2) the
     * tokenizer has {@code <image>} as one token; (3) config.json's {@code image_token_index} (or
     * {@code image_token_id}) is the id the tokenizer gives {@code <image>}.
     */
    static void checkVocabulary(JsonFields config, TextTokenizer tokenizer, long imageTokenId, VocabLimit vocab) {
        tokenizer.checkFits(vocab);
        long tokenizerId = tokenizer.singleTokenId(LlavaProcessor.IMAGE_TOKEN);
        if (tokenizerId != imageTokenId) {
            // The field LlavaConfig.parse read: image_token_id wins when a config carries both.
            String field = config.has("image_token_id") ? "image_token_id" : "image_token_index";
            String value = config.has(field) ? "is " + imageTokenId : "is absent (default " + imageTokenId + ")";
            throw config.error(field, value + ", but " + tokenizer.file() + " gives " + LlavaProcessor.IMAGE_TOKEN
                    + " the id " + tokenizerId + ": image features would go to the wrong positions; set "
                    + field + " to " + tokenizerId);
        }
    }
}
