package org.lvlmworkbench.core.loading;

import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.arch.clip.ClipVisionConfig;
import org.lvlmworkbench.core.arch.llama.DecoderConfig;
import org.lvlmworkbench.core.arch.llama.LlamaDecoder;
import org.lvlmworkbench.core.arch.llava.LlavaModel;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.nn.Attention;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.TextDecoder;

/**
 * An estimate, made before running, of the memory one generation needs beyond the weights, in
 * bytes, per part. A pass frees each layer's intermediates when the layer returns
 * ({@code nn.LayerScope}) and computes attention in query chunks when the score matrix would be large
 * ({@code nn.Attention}), so the peak is one layer's scratch, not all of them.
 *
 * <p>With one sequence (as {@code Generator} runs), {@code T} prompt tokens (image tokens included),
 * {@code S = T + N} positions after {@code N} new tokens, {@code f = 4} bytes (everything computes in
 * float32), and the text decoder's {@code L} layers, {@code H} heads, {@code K} key/value heads, head
 * size {@code D}, width {@code d}, MLP width {@code I} and vocabulary {@code V}:
 * <pre>
 *   attention    = 4 · H · R · T · f            one layer's score block: scores, scaled, masked, pattern
 *                                               [1, H, R, T], R = min(T, chunk bytes / (H·T·f)) query rows
 *                                               (R = T when a hook observes an attention pattern)
 *   layers       = T · (10d + 5I + 10HD + 8KD) · f + 2 · T · d · f
 *                                               one layer's norms, projections, rotary, grouped attention and
 *                                               SwiGLU MLP (counted from LlamaDecoder.Layer.forward), plus the
 *                                               residual stream entering and leaving it
 *   causal mask  = 3 · T² · f                   a Java array, its direct buffer and the engine's copy
 *   embed/logits = T · 4d · f + V · f            embeddings, image merge, final norm; logits of the last row only
 *   KV cache     = 2 · L · K · S · D · f         keys and values of every position, at the end of generation
 *   vision       = n · (3 · Hv · P² + P · (10dv + 4Iv)) · f + 3 · n · P · dv · f
 *                                               one CLIP layer's scratch for n images of P = patches + 1 tokens,
 *                                               Hv heads, width dv, MLP width Iv, plus the hidden states kept
 *   hooks        = Σ over the points a capture (or replacement) observes of that point's prefill size · f
 *                  (T·d for residual-stream points, H·T² for text attention patterns, T·V for the logits,
 *                  n·P·dv and n·Hv·P² for vision points): each captured activation is copied
 * </pre>
 * Decoding steps after the prefill need only O(S) more per layer; the estimate is the sum of all
 * parts, an overestimate since the vision tower's and the decoder's scratch never coexist and the
 * KV cache reaches {@code S} only after the prefill's scratch is freed. Separately, the causal mask's
 * Java array ({@code T² · f}) must fit in the Java heap.
 */
public record ActivationMemory(long attention, long layers, long causalMask, long embedAndLogits, long kvCache,
        long vision, long hooks) {

    static final long F32 = 4;

    /** The whole estimate. */
    public long total() {
        return attention + layers + causalMask + embedAndLogits + kvCache + vision + hooks;
    }

    /** The Java-heap part: the causal mask is first built as a Java {@code float[]}. */
    public long javaHeap() {
        return causalMask / 3;
    }

    /** The parts, largest first, e.g. {@code attention scores 12.0 GiB, KV cache 1.0 GiB}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        add(parts, "attention scores", attention);
        add(parts, "layer activations", layers);
        add(parts, "causal mask", causalMask);
        add(parts, "embeddings and logits", embedAndLogits);
        add(parts, "KV cache", kvCache);
        add(parts, "vision tower", vision);
        add(parts, "captured hooks", hooks);
        return String.join(", ", parts);
    }

    private static void add(List<String> parts, String name, long bytes) {
        if (bytes > 0) {
            parts.add(name + " " + gib(bytes));
        }
    }

    static String gib(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format("%.1f GiB", bytes / 1073741824.0);
        }
        return String.format("%.1f MiB", bytes / 1048576.0);
    }

    /**
     * Estimates one generation of {@code maxNewTokens} after {@code promptTokens} (image tokens
     * included) with {@code images} images, observing {@code hooks}.
     */
    public static ActivationMemory estimate(LanguageModel model, long promptTokens, long maxNewTokens, long images,
            Hooks hooks) {
        Text t = Text.of(model.decoder());
        // In double, then saturated: a prompt far beyond any limit must give a huge number, not an overflow.
        double tt = promptTokens;
        double s = (double) promptTokens + maxNewTokens;
        boolean wholePatterns = false;
        if (hooks != null && !hooks.isEmpty()) {
            for (int i = 0; i < t.layers && !wholePatterns; i++) {
                wholePatterns = hooks.observes(HookPoints.text(i).attnPattern());
            }
        }
        double chunkRows = Math.max(1, Math.floor(Attention.chunkBytes() / (t.heads * Math.max(1, tt) * F32)));
        double rows = wholePatterns ? tt : Math.min(tt, chunkRows);
        double attention = 4 * t.heads * rows * tt * F32;
        double layers = tt * (10 * t.width + 5 * t.mlp + 10 * t.heads * t.headDim + 8 * t.kvHeads * t.headDim) * F32
                + 2 * tt * t.width * F32;
        double mask = 3 * tt * tt * F32;
        double embedAndLogits = tt * 4 * t.width * F32 + t.vocab * F32;
        double kv = 2 * t.layers * t.kvHeads * s * t.headDim * F32;

        Vision v = images > 0 && model instanceof LlavaModel llava ? Vision.of(llava) : Vision.NONE;
        double vision = (double) images * ((3 * v.heads * v.tokens * v.tokens
                + v.tokens * (10 * v.width + 4 * v.mlp)) + 3 * v.tokens * v.width) * F32;

        double hookBytes = 0;
        if (hooks != null && !hooks.isEmpty()) {
            for (String point : model.hookPoints()) {
                if (hooks.observes(point)) {
                    hookBytes += pointElements(point, t, v, tt, images) * F32;
                }
            }
        }
        return new ActivationMemory(bytes(attention), bytes(layers), bytes(mask), bytes(embedAndLogits), bytes(kv),
                bytes(vision), bytes(hookBytes));
    }

    private static long bytes(double estimate) {
        return estimate >= Long.MAX_VALUE / 8.0 ? Long.MAX_VALUE / 8 : (long) Math.ceil(estimate);
    }

    /** Elements of one hook point's activation during the prefill. */
    private static double pointElements(String point, Text t, Vision v, double tokens, double images) {
        boolean visionPoint = point.startsWith("vision.");
        if (point.endsWith("attn.pattern")) {
            return visionPoint ? images * v.heads * v.tokens * v.tokens : t.heads * tokens * tokens;
        }
        if (visionPoint) {
            return images * v.tokens * v.width;
        }
        if (point.equals("projector.out")) {
            return images * v.tokensPerImage * t.width;
        }
        if (point.equals("logits")) {
            return tokens * t.vocab;
        }
        return tokens * t.width;
    }

    /** The text decoder's sizes; a decoder of an unknown family is assumed to have 64-wide heads, MLP 4×. */
    private record Text(double layers, double heads, double kvHeads, double headDim, double width, double mlp,
            double vocab) {
        static Text of(TextDecoder decoder) {
            if (decoder instanceof LlamaDecoder llama) {
                DecoderConfig c = llama.config();
                return new Text(c.numLayers(), c.numHeads(), c.numKvHeads(), c.headDim(), c.hiddenSize(),
                        c.intermediateSize(), c.vocabSize());
            }
            double heads = Math.max(1, decoder.hiddenSize() / 64);
            return new Text(decoder.numLayers(), heads, heads, 64, decoder.hiddenSize(), 4L * decoder.hiddenSize(),
                    decoder.vocabSize());
        }
    }

    private record Vision(double layers, double heads, double tokens, double width, double mlp,
            double tokensPerImage) {
        static final Vision NONE = new Vision(0, 0, 0, 0, 0, 0);

        static Vision of(LlavaModel llava) {
            ClipVisionConfig c = llava.config().vision();
            return new Vision(llava.config().visionLayersUsed(), c.numHeads(), c.numPatches() + 1, c.hiddenSize(),
                    c.intermediateSize(), llava.tokensPerImage());
        }
    }
}
