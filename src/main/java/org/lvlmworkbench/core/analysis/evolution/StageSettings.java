package org.lvlmworkbench.core.analysis.evolution;

/**
 * The thresholds of the critical/mutation layer rule ({@link StageDetector}); saved with every result.
 *
 * @param tau      a transition is "settled" when its divergence is at most {@code tau · max}
 * @param window   the critical layer starts the first run of {@code window} settled transitions
 * @param robustZ  a later transition is a mutation when it exceeds the stable stretch's median by
 *                 more than {@code robustZ} robust standard deviations (1.4826 · MAD)
 */
public record StageSettings(double tau, int window, double robustZ) {

    public static final StageSettings DEFAULT = new StageSettings(0.1, 3, 3.0);

    public StageSettings {
        if (!(tau > 0 && tau < 1)) {
            throw new IllegalArgumentException("tau must lie in (0, 1), got " + tau);
        }
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1, got " + window);
        }
        if (!(robustZ > 0)) {
            throw new IllegalArgumentException("robustZ must be positive, got " + robustZ);
        }
    }
}
