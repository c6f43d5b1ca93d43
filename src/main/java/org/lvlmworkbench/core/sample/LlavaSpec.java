package org.lvlmworkbench.core.sample;

/** The shape of a LLaVA-1.5-format model this project writes (random or trained). */
public record LlavaSpec(int imageSize, int patchSize, int visionHidden, int visionIntermediate, int visionLayers,
        int visionHeads, int textHidden, int textIntermediate, int textLayers, int textHeads, int textKvHeads,
        int maxPositions, double ropeTheta) {

    /** A model small enough for unit tests: a few hundred kB, milliseconds a forward pass. */
    public static LlavaSpec tiny() {
        return new LlavaSpec(32, 8, 32, 64, 3, 4, 48, 96, 3, 4, 2, 256, 10000.0);
    }

    /**
     * CLIP ViT-L/14 at 336 px (LLaVA-1.5's tower: 24 layers of width 1024, 16 heads, MLP 4096, 576
     * patches) under a TinyLlama-1.1B decoder (width 2048, 22 layers, MLP 5632, 32 heads / 4 KV heads;
     * TinyLlama's 2048 positions).
     */
    public static LlavaSpec tinyLlama11b() {
        return new LlavaSpec(336, 14, 1024, 4096, 24, 16, 2048, 5632, 22, 32, 4, 2048, 10000.0);
    }

    /**
     * LLaVA-1.5-7B (llava-hf/llava-1.5-7b-hf): CLIP ViT-L/14-336 and a Vicuna-7B (Llama) decoder,
     * width 4096, 32 layers, MLP 11008, 32 heads without grouping, 4096 positions.
     */
    public static LlavaSpec llava7b() {
        return new LlavaSpec(336, 14, 1024, 4096, 24, 16, 4096, 11008, 32, 32, 32, 4096, 10000.0);
    }

    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    public int tokensPerImage() {
        return patchesPerSide() * patchesPerSide();
    }
}
