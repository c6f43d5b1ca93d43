package org.lvlmworkbench.core.model;

import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.TextTokenizer;
import org.lvlmworkbench.core.safetensors.Checkpoint;

/**
 * One model family's entry in the registry (Jlama's {@code ModelType}, transformers' auto-mapping):
 * which {@code model_type}s it opens, how it builds the network from a checkpoint and which
 * processor turns prompts and images into its inputs. A new family adds one folder under
 * {@code core.arch} and one line in {@code core.arch.Architectures}.
 */
public interface ArchitectureFamily {

    /** What users read, e.g. "LLaVA-1.5 (CLIP ViT + MLP projector + Llama)". */
    String displayName();

    /** The {@code config.json} {@code model_type} values this family opens. */
    List<String> modelTypes();

    /** Builds the network; every weight is read by its checkpoint name with the shape the config implies. */
    LanguageModel build(JsonFields config, Checkpoint checkpoint, NDManager manager);

    /** The processor for this folder: tokenizer, chat template and, for vision models, the image processor. */
    Processor processor(Path folder, JsonFields config, LanguageModel model, TextTokenizer tokenizer,
            ChatTemplate template);
}
