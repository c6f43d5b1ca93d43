package org.lvlmworkbench.core.model;

import ai.djl.ndarray.NDArray;

/**
 * Everything one forward pass reads besides the weights.
 *
 * @param tokenIds       int64 {@code [B, T]}; image positions hold the model's image token id
 * @param pixelValues    the family's image tensor, e.g. {@code [N, 3, H, W]} for CLIP; null for a text-only step
 * @param tokensPerImage positions each image occupies, in prompt order; families with a fixed count
 *                       (LLaVA-1.5) may leave it null, families with variable counts (LLaVA-NeXT anyres)
 *                       must fill it
 * @param positionIds    int64 {@code [T]} rotary positions of the new tokens, or null for
 *                       {@code past .. past+T-1}; lets a pruned sequence keep its original positions.
 *                       Qwen2-VL's 3-D positions will be {@code [3, T]} here.
 * @param logitRows      the positions (indices into {@code T}) whose logits are wanted, in order, or null
 *                       for all; generation asks for the last only, so the LM head (the largest matrix)
 *                       runs on one row instead of the whole prompt. The logits are then {@code [B, rows, vocab]}.
 */
public record ForwardInputs(NDArray tokenIds, NDArray pixelValues, int[] tokensPerImage, NDArray positionIds,
        long[] logitRows) {

    public static ForwardInputs of(NDArray tokenIds, NDArray pixelValues) {
        return new ForwardInputs(tokenIds, pixelValues, null, null, null);
    }

    public static ForwardInputs text(NDArray tokenIds) {
        return new ForwardInputs(tokenIds, null, null, null, null);
    }

    /** The same inputs, asking for the logits of the last position only. */
    public ForwardInputs lastLogitsOnly() {
        long t = tokenIds.getShape().get(tokenIds.getShape().dimension() - 1);
        return new ForwardInputs(tokenIds, pixelValues, tokensPerImage, positionIds, new long[] {t - 1});
    }
}
