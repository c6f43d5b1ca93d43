package org.lvlmworkbench.core.sample;

/** The shape of a small LLaVA-1.5-format model this project writes (random or trained). */
public record LlavaSpec(int imageSize, int patchSize, int visionHidden, int visionIntermediate, int visionLayers,
        int visionHeads, int textHidden, int textIntermediate, int textLayers, int textHeads, int textKvHeads,
        int maxPositions, double ropeTheta) {

    /** A model small enough for unit tests: a few hundred kB, milliseconds a forward pass. */
    public static LlavaSpec tiny() {
        return new LlavaSpec(32, 8, 32, 64, 3, 4, 48, 96, 3, 4, 2, 256, 10000.0);
    }

    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    public int tokensPerImage() {
        return patchesPerSide() * patchesPerSide();
    }
}
