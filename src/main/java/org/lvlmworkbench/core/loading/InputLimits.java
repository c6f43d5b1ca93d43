package org.lvlmworkbench.core.loading;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.LanguageModel;

/**
 * Refuses, before anything runs, a generation the model cannot take: more positions than the
 * position encoding was configured for, or more activation memory ({@link ActivationMemory}) than the
 * machine has free. Running out half-way would take the whole application down with it, or kill it
 * without a word.
 */
public final class InputLimits {

    /**
     * The prefill's causal mask is one buffer of {@code T²} floats whose byte size must fit in an
     * {@code int} ({@code Attention.causalMask}, DJL's direct buffers): at most 23,170 prompt tokens.
     */
    static final long MAX_MASK_BYTES = Integer.MAX_VALUE;

    private InputLimits() {
    }

    /**
     * Checks a generation of up to {@code maxNewTokens} after {@code promptTokens} (image tokens
     * included) with {@code images} images, observing {@code hooks} (null for none).
     *
     * @throws IllegalArgumentException when the sequence is longer than the model's positions
     * @throws IllegalStateException    when the activations would not fit in memory
     */
    public static void check(LoadedModel model, long promptTokens, long maxNewTokens, long images, Hooks hooks) {
        checkPositions(model, promptTokens, maxNewTokens);
        if (Boolean.getBoolean("lvlm.skipMemoryCheck")) {
            return;
        }
        ActivationMemory estimate = ActivationMemory.estimate(model.model(), promptTokens, maxNewTokens, images, hooks);
        Device device = model.model().manager().getDevice();
        checkMemory(model, promptTokens, maxNewTokens, estimate, availableBytes(model.model(), device),
                device.isGpu() ? "of GPU memory (total less the weights)" : "of memory",
                Runtime.getRuntime().maxMemory());
    }

    /** Prompt plus new tokens must not exceed the decoder's {@code max_position_embeddings}. */
    static void checkPositions(LoadedModel model, long promptTokens, long maxNewTokens) {
        int limit = model.model().decoder().maxPositions();
        long total = promptTokens + maxNewTokens;
        if (total > limit) {
            throw new IllegalArgumentException(String.format("the prompt is %,d tokens and up to %,d new tokens are "
                    + "asked for, %,d positions in all, but the model takes at most %,d (%s: field '%s'); shorten the "
                    + "prompt or ask for fewer new tokens", promptTokens, maxNewTokens, total, limit,
                    model.folder().resolve("config.json"), positionsField(model.model())));
        }
    }

    /** The config.json field that sets the decoder's positions: nested for a multimodal model. */
    static String positionsField(LanguageModel model) {
        return model.modelType().equals(model.decoder().modelType()) ? "max_position_embeddings"
                : "text_config.max_position_embeddings";
    }

    /**
     * @param available     bytes free for activations (≤ 0 when unknown: then only the fixed limits apply)
     * @param heapLimit     the Java heap's maximum size (garbage is reclaimable, so what is in use now is not
     *                      subtracted: only what can never fit is refused)
     */
    static void checkMemory(LoadedModel model, long promptTokens, long maxNewTokens, ActivationMemory estimate,
            long available, String availableWhat, long heapLimit) {
        String what = String.format("the prompt of %,d tokens with up to %,d new tokens", promptTokens, maxNewTokens);
        if (promptTokens * promptTokens * ActivationMemory.F32 > MAX_MASK_BYTES) {
            throw new IllegalStateException(String.format("%s is too long for this implementation: the prefill's "
                    + "causal mask of %,d × %,d floats would exceed 2 GiB in one buffer (at most %,d prompt tokens); "
                    + "shorten the prompt", what, promptTokens, promptTokens,
                    (long) Math.sqrt(MAX_MASK_BYTES / (double) ActivationMemory.F32)));
        }
        long total = estimate.total();
        if (available > 0 && total > available * MemoryBudget.USABLE_FRACTION) {
            throw new IllegalStateException(String.format("%s needs about %s for activations (%s) but only %s %s is "
                    + "free; shorten the prompt, ask for fewer new tokens%s, use a machine with more memory, or pass "
                    + "-Dlvlm.skipMemoryCheck=true to try anyway", what, ActivationMemory.gib(total),
                    estimate.describe(), ActivationMemory.gib(available), availableWhat,
                    estimate.hooks() > 0 ? ", capture fewer hook points" : ""));
        }
        if (heapLimit > 0 && estimate.javaHeap() > heapLimit) {
            throw new IllegalStateException(String.format("%s needs a causal mask of %s on the Java heap but the heap "
                    + "is limited to %s; shorten the prompt or raise -Xmx (LVLM_JAVA_OPTS)", what,
                    ActivationMemory.gib(estimate.javaHeap()), ActivationMemory.gib(heapLimit)));
        }
    }

    /**
     * Free memory for activations: the CPU's MemAvailable (the weights are already loaded and counted
     * there); on a GPU, its total memory less the weights (what the engine has cached is not known, so
     * this is an upper bound and never refuses what would fit). Non-positive when unknown.
     */
    static long availableBytes(LanguageModel model, Device device) {
        if (!device.isGpu()) {
            return MemoryBudget.availableBytes();
        }
        try {
            MemoryUsage usage = CudaUtils.getGpuMemory(device);
            long weights = 0;
            for (long size : model.parameterSizes().values()) {
                weights += size * ActivationMemory.F32;
            }
            return usage.getMax() - weights;
        } catch (RuntimeException | LinkageError unknown) {
            return -1;
        }
    }
}
