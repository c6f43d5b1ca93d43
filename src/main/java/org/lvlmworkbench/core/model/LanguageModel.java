package org.lvlmworkbench.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
import org.lvlmworkbench.core.nn.KvCache;

/**
 * A loaded causal language model, optionally with a vision tower. Implementations live under
 * {@code core.arch}, one folder per family; this contract names no family, so generation,
 * analysis, compression and export above it work for every one.
 */
public interface LanguageModel extends AutoCloseable {

    /** HF's {@code model_type}, e.g. {@code llava}. */
    String modelType();

    NDManager manager();

    /** The text decoder: embeddings, layers, final norm and LM head. */
    TextDecoder decoder();

    /**
     * Logits {@code [B, T, vocab]} for the inputs, attached to the token ids' manager; every
     * intermediate is freed. {@code cache} may be null for a single full pass.
     */
    NDArray forward(ForwardInputs inputs, Hooks hooks, KvCache cache);

    /** {@link #forward(ForwardInputs, Hooks, KvCache)} for ids {@code [B, T]} and optional pixels. */
    default NDArray forward(NDArray tokenIds, NDArray pixelValues, Hooks hooks, KvCache cache) {
        return forward(ForwardInputs.of(tokenIds, pixelValues), hooks, cache);
    }

    default KvCache newCache(NDManager manager) {
        return new KvCache(manager, decoder().numLayers());
    }

    /** Every hook point this model calls, in forward order. */
    List<String> hookPoints();

    /**
     * All parameters as float32 arrays under their checkpoint names, in load order (tied tensors
     * appear once). Matrices kept in 16-bit precision are widened on the first call, which costs
     * their float32 size in memory: counting and listing use {@link #parameterSizes()} instead.
     */
    Map<String, NDArray> parameters();

    /** Element counts of all parameters under their checkpoint names, in load order; touches no weight. */
    Map<String, Long> parameterSizes();

    /** Parameter counts per component (vision tower, projector, embeddings, layers, head). */
    List<ComponentSize> components();

    /**
     * Every linear map of the vision tower, projector and decoder layers, in forward order (the
     * embeddings and LM head are not listed): what spectra and low-rank compression work on.
     */
    List<LinearWeight> linears();

    /** The checkpoint's weight-key layout, as detected from its keys (e.g. "transformers 5"). */
    String keyLayout();

    /** The network's parts and their settings, for the model card. */
    List<ModelCard.Section> describe();

    /** The visual-token pruning this model applies in its forward pass; {@link VisualTokenPruning#NONE} by default. */
    default VisualTokenPruning pruning() {
        return VisualTokenPruning.NONE;
    }

    /**
     * This model with another visual-token pruning policy: a new object sharing every weight with this
     * one, which is left as it was, so both can run side by side. The view owns nothing: closing it
     * does nothing, and it must not be used once this model is closed.
     *
     * @throws UnsupportedOperationException for a model without images, unless {@code pruning} is none
     * @throws org.lvlmworkbench.core.model.pruning.InvalidPruningException for a stage at or past the last layer
     */
    default LanguageModel withPruning(VisualTokenPruning pruning) {
        if (pruning.isNone()) {
            return this;
        }
        throw new UnsupportedOperationException("a " + modelType() + " model takes no images, so it has no visual "
                + "tokens to prune");
    }

    /** The token id that marks where image features go, or -1 for a text-only model. */
    default long imageTokenId() {
        return -1;
    }

    @Override
    void close();

    /** A named part of the model and how many parameters it holds. */
    record ComponentSize(String name, long parameters, String storedDtype) {
    }
}
