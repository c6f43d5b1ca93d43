package org.lvlmworkbench.core.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.ForwardInputs;
import org.lvlmworkbench.core.nn.KvCache;
import org.lvlmworkbench.core.loading.InputLimits;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * Autoregressive generation with a KV cache: one full pass over the prompt (with the image), then
 * one position per step. Hooks apply at every step.
 *
 * <p>A model with visual-token pruning ({@code LoadedModel.withPruning}, or config.json's
 * {@code visual_token_pruning}) prunes in the prompt pass only: decode steps carry no image token,
 * continue at the original prompt length ({@code KvCache.position()}), and attend to the kept
 * tokens' cached keys.
 */
public final class Generator {

    private Generator() {
    }

    /**
     * Answers {@code question} about {@code image} (null for none) as a user would ask it: the
     * prompt is rendered and encoded like HF's processor, the image preprocessed, then generated.
     */
    public static GenerationResult answer(LoadedModel model, String question, RgbImage image,
            GenerationSettings settings, Hooks hooks, LongConsumer onToken) {
        int images = image == null ? 0 : 1;
        long[] ids = model.processor().encode(question, images);
        try (NDManager scope = model.model().manager().newSubManager()) {
            NDArray pixels = images == 0 ? null : model.processor().pixelValues(List.of(image), scope);
            return generate(model, ids, pixels, settings, hooks, onToken);
        }
    }

    /**
     * Generates after {@code promptIds}. Refuses, before running, a prompt that with the new tokens
     * exceeds the model's positions or whose activations would not fit in memory ({@link InputLimits}).
     */
    public static GenerationResult generate(LoadedModel model, long[] promptIds, NDArray pixelValues,
            GenerationSettings settings, Hooks hooks, LongConsumer onToken) {
        long images = pixelValues == null ? 0 : pixelValues.getShape().get(0);
        InputLimits.check(model, promptIds.length, settings.maxNewTokens(), images, hooks);
        TokenSampler sampler = new TokenSampler(settings);
        long[] generated = new long[settings.maxNewTokens()];
        int count = 0;
        GenerationResult.StopReason reason = GenerationResult.StopReason.MAX_TOKENS;
        long start = System.nanoTime();
        long prefillEnd;
        try (NDManager scope = model.model().manager().newSubManager();
                KvCache cache = model.model().newCache(scope)) {
            NDArray ids = scope.create(promptIds, new Shape(1, promptIds.length));
            // Only the last position's logits are read: the LM head runs on one row, not the whole prompt.
            float[] last = lastLogits(model.model().forward(ForwardInputs.of(ids, pixelValues).lastLogitsOnly(), hooks,
                    cache));
            prefillEnd = System.nanoTime();
            while (true) {
                long token = sampler.next(last);
                if (model.eosTokenIds().contains(token)) {
                    reason = GenerationResult.StopReason.END_OF_SEQUENCE;
                    break;
                }
                generated[count++] = token;
                if (onToken != null) {
                    onToken.accept(token);
                }
                if (count == settings.maxNewTokens()) {
                    break;
                }
                try (NDManager step = scope.newSubManager()) {
                    NDArray next = step.create(new long[] {token}, new Shape(1, 1));
                    last = lastLogits(model.model().forward(next, null, hooks, cache));
                }
            }
        }
        long end = System.nanoTime();
        long[] out = Arrays.copyOf(generated, count);
        String text = model.tokenizer().decode(out, true);
        return new GenerationResult(promptIds, out, text, prefillEnd - start, end - prefillEnd, reason);
    }

    private static float[] lastLogits(NDArray logits) {
        long t = logits.getShape().get(1);
        NDArray last = logits.get(0).get(t - 1);
        float[] values = last.toFloatArray();
        last.close();
        logits.close();
        return values;
    }
}
