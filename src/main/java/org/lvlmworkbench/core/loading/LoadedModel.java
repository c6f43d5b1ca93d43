package org.lvlmworkbench.core.loading;

import java.nio.file.Path;
import java.util.List;
import org.lvlmworkbench.core.model.ArchitectureFamily;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.model.Processor;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.TextTokenizer;

/**
 * Everything opened from one model folder: the family it belongs to, the network, its tokenizer,
 * its processor, its chat template (null when the folder has none), the ids that end generation, and
 * the warnings loading raised (e.g. a tensor with NaN values), each naming the file and the tensor;
 * the CLI prints them on stderr and the app shows them in its status line.
 */
public record LoadedModel(Path folder, ArchitectureFamily family, LanguageModel model, TextTokenizer tokenizer,
        Processor processor, ChatTemplate chatTemplate, List<Long> eosTokenIds, List<String> warnings)
        implements AutoCloseable {

    public LoadedModel {
        warnings = List.copyOf(warnings);
    }

    /** A model that loaded without warnings. */
    public LoadedModel(Path folder, ArchitectureFamily family, LanguageModel model, TextTokenizer tokenizer,
            Processor processor, ChatTemplate chatTemplate, List<Long> eosTokenIds) {
        this(folder, family, model, tokenizer, processor, chatTemplate, eosTokenIds, List.of());
    }

    public boolean acceptsImages() {
        return processor.acceptsImages();
    }

    /** The model card that {@code inspect} and the app render. */
    public ModelCard card() {
        return new ModelCard(folder, model.modelType(), family.displayName(), model.keyLayout(), model.describe(),
                model.components(), chatTemplate == null ? null : chatTemplate.origin().getFileName().toString(),
                eosTokenIds, model.hookPoints().size());
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
