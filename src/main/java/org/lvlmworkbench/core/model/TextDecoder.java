package org.lvlmworkbench.core.model;

import ai.djl.ndarray.NDArray;

/**
 * The text half of any model: token embeddings, a stack of decoder layers over the residual stream,
 * a final norm and an LM head. Analyses (the logit lens reads {@code unembed(finalNorm(resid))}) and
 * compression are written against this, never against one family's decoder class.
 *
 * <p>The three tensor methods allocate in their input's manager and open no scope of their own: a
 * caller outside a forward pass wraps them in {@code ForwardScope} or a sub-manager.
 */
public interface TextDecoder {

    /** HF's {@code model_type} of the text model, e.g. {@code llama} or {@code qwen2}. */
    String modelType();

    int numLayers();

    int hiddenSize();

    int vocabSize();

    /** The longest sequence the position encoding was configured for ({@code max_position_embeddings}). */
    int maxPositions();

    /** Token embeddings {@code [B, T, hidden]} for int64 ids {@code [B, T]}. */
    NDArray embed(NDArray ids);

    /** The final norm applied to a residual-stream tensor {@code [..., hidden]}. */
    NDArray finalNorm(NDArray residual);

    /** The LM head applied to a normalised tensor {@code [..., hidden]}, giving {@code [..., vocab]}. */
    NDArray unembed(NDArray normed);
}
