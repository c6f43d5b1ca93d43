package org.lvlmworkbench.core.bench;

import org.lvlmworkbench.core.sample.LlavaSpec;

/**
 * The work of one generation, counted from a LLaVA-1.5 model's shapes as the performance baseline
 * does (a multiply-add is two FLOPs):
 * <ul>
 * <li>prefill FLOPs of a prompt of {@code T} positions with {@code n} images: the decoder's linear maps
 *     {@code 2 · P_lin · T} (q, k, v, o, gate, up, down of every layer), its attention with the full
 *     {@code T × T} score matrix as eager attention computes it, {@code 4 · T² · d} per layer (scores and
 *     weighted sum), the LM head on the last row only {@code 2 · V · d}; per image the patch embedding,
 *     the CLIP layers that run (all but the last: LLaVA reads layer −2) with their linears and attention
 *     over {@code P = patches + 1} positions, and the projector on the patches;</li>
 * <li>decode bytes per token: every decoder linear weight and the LM head, streamed once per token at
 *     the checkpoint's storage type (embedding lookups, norms and the KV cache are left out: under 1 %
 *     here).</li>
 * </ul>
 */
public record ModelCost(LlavaSpec spec, long vocab) {

    /** Weights of one decoder layer's linear maps. */
    public long decoderLinearParamsPerLayer() {
        long d = spec.textHidden();
        long kv = d / spec.textHeads() * spec.textKvHeads();
        return 2 * d * d + 2 * kv * d + 3 * d * spec.textIntermediate();
    }

    public long decoderLinearParams() {
        return decoderLinearParamsPerLayer() * spec.textLayers();
    }

    /** Weights of one CLIP layer's linear maps (q, k, v, out and the two MLP maps). */
    public long visionLinearParamsPerLayer() {
        long d = spec.visionHidden();
        return 4 * d * d + 2 * d * spec.visionIntermediate();
    }

    /** The CLIP layers a LLaVA-1.5 forward runs: up to the feature layer −2. */
    public int visionLayersRun() {
        return spec.visionLayers() - 1;
    }

    /** FLOPs of the prefill over {@code promptTokens} positions (image tokens included) with {@code images} images. */
    public double prefillFlops(long promptTokens, long images) {
        double t = promptTokens;
        double d = spec.textHidden();
        double text = 2.0 * decoderLinearParams() * t + 4.0 * t * t * d * spec.textLayers() + 2.0 * vocab * d;
        return text + images * visionFlopsPerImage();
    }

    /** FLOPs of the vision tower and projector for one image. */
    public double visionFlopsPerImage() {
        double patches = spec.tokensPerImage();
        double p = patches + 1;
        double dv = spec.visionHidden();
        double patchEmbed = 2.0 * patches * dv * 3 * spec.patchSize() * spec.patchSize();
        double layer = 2.0 * visionLinearParamsPerLayer() * p + 4.0 * p * p * dv;
        double d = spec.textHidden();
        double projector = 2.0 * patches * (dv * d + d * d);
        return patchEmbed + visionLayersRun() * layer + projector;
    }

    /** Bytes of weights one decode step streams, at {@code bytesPerWeight} (4 for F32, 2 for BF16). */
    public double decodeBytesPerToken(int bytesPerWeight) {
        return (double) (decoderLinearParams() + vocab * spec.textHidden()) * bytesPerWeight;
    }
}
