package org.lvlmworkbench.core.analysis.tokens;

/**
 * Settings of a visual-token importance run; saved with its results.
 *
 * @param maxNewTokens answer tokens generated before the attention pass (their positions can be queried too)
 * @param fastVLayer   FastV's K (arXiv 2403.06764): its score reads the attention of layer K−1 (default 2)
 */
public record VisualTokenSettings(int maxNewTokens, int fastVLayer) {

    public static VisualTokenSettings defaults() {
        return new VisualTokenSettings(8, 2);
    }

    public VisualTokenSettings {
        if (maxNewTokens < 1) {
            throw new IllegalArgumentException("maxNewTokens must be at least 1, got " + maxNewTokens);
        }
        if (fastVLayer < 1) {
            throw new IllegalArgumentException("FastV's K must be at least 1, got " + fastVLayer);
        }
    }
}
