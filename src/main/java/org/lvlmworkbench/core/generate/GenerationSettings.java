package org.lvlmworkbench.core.generate;

/**
 * How to pick each next token. Temperature 0 is greedy decoding; otherwise tokens are sampled
 * from the softmax at that temperature, restricted to the top-k and the top-p nucleus.
 */
public record GenerationSettings(int maxNewTokens, double temperature, int topK, double topP, long seed) {

    public GenerationSettings {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (temperature < 0) {
            throw new IllegalArgumentException("temperature must be >= 0, got " + temperature);
        }
        if (topP <= 0 || topP > 1) {
            throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
        }
    }

    public static GenerationSettings greedy(int maxNewTokens) {
        return new GenerationSettings(maxNewTokens, 0, 0, 1, 0);
    }

    public static GenerationSettings sampled(int maxNewTokens, double temperature, int topK, double topP, long seed) {
        return new GenerationSettings(maxNewTokens, temperature, topK, topP, seed);
    }

    public boolean isGreedy() {
        return temperature == 0;
    }
}
