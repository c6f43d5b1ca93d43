package org.lvlmworkbench.core.loading;

import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.lvlmworkbench.core.model.ArchitectureFamily;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
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
        Processor processor, ChatTemplate chatTemplate, List<Long> eosTokenIds, List<String> warnings,
        CompletableFuture<Void> weightScan) implements AutoCloseable {

    /**
     * @param warnings   what loading found so far; the scan may still add to it (a thread-safe list)
     * @param weightScan the NaN/Inf scan of the mapped weights, still running in the background
     */
    public LoadedModel {
        warnings = Collections.unmodifiableList(warnings);
    }

    /** A model whose weights were all checked while loading. */
    public LoadedModel(Path folder, ArchitectureFamily family, LanguageModel model, TextTokenizer tokenizer,
            Processor processor, ChatTemplate chatTemplate, List<Long> eosTokenIds, List<String> warnings) {
        this(folder, family, model, tokenizer, processor, chatTemplate, eosTokenIds, List.copyOf(warnings),
                CompletableFuture.completedFuture(null));
    }

    /** A model that loaded without warnings. */
    public LoadedModel(Path folder, ArchitectureFamily family, LanguageModel model, TextTokenizer tokenizer,
            Processor processor, ChatTemplate chatTemplate, List<Long> eosTokenIds) {
        this(folder, family, model, tokenizer, processor, chatTemplate, eosTokenIds, List.of());
    }

    /**
     * Every warning, once the background scan of the weights has read them all: opening a large model
     * does not wait for that, so callers that report warnings wait here (off any UI thread).
     */
    public List<String> allWarnings() {
        weightScan.join();
        return List.copyOf(warnings);
    }

    /**
     * The same model under another visual-token pruning policy ({@link LanguageModel#withPruning}),
     * sharing the network, tokenizer and processor with this one, which is not changed: for running
     * the pruned and the unpruned model side by side (generation, evaluation). Close only the original;
     * closing the view would close the shared tokenizer.
     */
    public LoadedModel withPruning(VisualTokenPruning pruning) {
        return new LoadedModel(folder, family, model.withPruning(pruning), tokenizer, processor, chatTemplate,
                eosTokenIds, warnings, weightScan);
    }

    public boolean acceptsImages() {
        return processor.acceptsImages();
    }

    /** The model card that {@code inspect} and the app render. */
    public ModelCard card() {
        List<ModelCard.Section> sections = new java.util.ArrayList<>(model.describe());
        sections.add(ComputePaths.describe(model));
        return new ModelCard(folder, model.modelType(), family.displayName(), model.keyLayout(), sections,
                model.components(), chatTemplate == null ? null : chatTemplate.origin().getFileName().toString(),
                eosTokenIds, model.hookPoints().size());
    }

    @Override
    public void close() {
        model.close();
        tokenizer.close();
    }
}
