package org.lvlmworkbench.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.arch.llama.LlamaDecoder;
import org.lvlmworkbench.core.hooks.Hooks;

/**
 * A loaded causal language model, optionally with a vision tower. Implementations live under
 * {@code core.arch}, one per architecture; everything above this interface (generation, analysis,
 * compression, export) is architecture-independent.
 */
public interface LanguageModel extends AutoCloseable {

    /** HF's {@code model_type}, e.g. {@code llava}. */
    String modelType();

    NDManager manager();

    LlamaDecoder decoder();

    /**
     * Logits {@code [B, T, vocab]} for token ids {@code [B, T]} (int64), attached to the ids'
     * manager. {@code pixelValues} ({@code [N, 3, H, W]}) fills the image-token positions; pass
     * null for text-only steps. {@code cache} may be null for a single full pass.
     */
    NDArray forward(NDArray tokenIds, NDArray pixelValues, Hooks hooks, KvCache cache);

    default KvCache newCache(NDManager manager) {
        return new KvCache(manager, decoder().layers().size());
    }

    /** Every hook point this model calls, in forward order. */
    List<String> hookPoints();

    /** All parameters under their checkpoint names, in load order (tied tensors appear once). */
    Map<String, NDArray> parameters();

    /** Parameter counts per component (vision tower, projector, embeddings, layers, head). */
    List<ComponentSize> components();

    /** The token id that marks where image features go, or -1 for a text-only model. */
    default long imageTokenId() {
        return -1;
    }

    /** Positions one image occupies in the decoder's sequence; 0 for a text-only model. */
    default int tokensPerImage() {
        return 0;
    }

    @Override
    void close();

    /** A named part of the model and how many parameters it holds. */
    record ComponentSize(String name, long parameters, String storedDtype) {
    }
}
