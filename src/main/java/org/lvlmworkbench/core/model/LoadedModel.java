package org.lvlmworkbench.core.model;

import java.nio.file.Path;
import java.util.List;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.ClipImageProcessor;
import org.lvlmworkbench.core.processing.TextTokenizer;

/**
 * Everything opened from one model folder: the network, its tokenizer, its image processor (null
 * for text-only models), its chat template (null when the folder has none) and the ids that end
 * generation.
 */
public record LoadedModel(Path folder, LanguageModel model, TextTokenizer tokenizer, ClipImageProcessor imageProcessor,
        ChatTemplate chatTemplate, List<Long> eosTokenIds) implements AutoCloseable {

    public boolean acceptsImages() {
        return imageProcessor != null && model.imageTokenId() >= 0;
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
