package org.lvlmworkbench.core.compress.lowrank;

import java.util.Locale;

/**
 * The settings of the factorisation methods; each method reads only its own.
 *
 * @param asvdAlpha          ASVD's exponent α in {@code s_j = (mean|x_j|)^α} (paper and code: 0.5)
 * @param dipChannelFraction DipSVD: the fraction of input channels protected, the most important
 *                           {@code ⌊n·fraction⌋} (the reference code's step-1 call: 0.03)
 * @param dipChannelWeight   DipSVD: the factor those channels' Gram columns are multiplied by (code: 30)
 */
public record LowRankOptions(double asvdAlpha, double dipChannelFraction, double dipChannelWeight) {

    /** α = 0.5, 3 % of channels weighted by 30. */
    public static final LowRankOptions DEFAULTS = new LowRankOptions(0.5, 0.03, 30);

    public LowRankOptions {
        if (!(asvdAlpha >= 0 && asvdAlpha <= 4)) {
            throw new IllegalArgumentException("ASVD alpha " + asvdAlpha + " is outside [0, 4]");
        }
        if (!(dipChannelFraction >= 0 && dipChannelFraction <= 1)) {
            throw new IllegalArgumentException("DipSVD channel fraction " + dipChannelFraction + " is outside [0, 1]");
        }
        if (!(dipChannelWeight > 0 && Double.isFinite(dipChannelWeight))) {
            throw new IllegalArgumentException("DipSVD channel weight " + dipChannelWeight + " must be positive");
        }
    }

    public LowRankOptions withAsvdAlpha(double alpha) {
        return new LowRankOptions(alpha, dipChannelFraction, dipChannelWeight);
    }

    public LowRankOptions withDipChannels(double fraction, double weight) {
        return new LowRankOptions(asvdAlpha, fraction, weight);
    }

    /**
     * The settings {@code method} reads, as a stable string (part of a factorisation's cache key):
     * two option sets that factorise a matrix the same way give the same string.
     */
    public String describe(LowRankMethod method) {
        return switch (method) {
            case PLAIN, SVD_LLM, SVD_LLM_V2, SOCO -> method.jsonName();
            case ASVD -> String.format(Locale.ROOT, "asvd(alpha=%s)", asvdAlpha);
            case DIPSVD -> String.format(Locale.ROOT, "dipsvd(fraction=%s,weight=%s)", dipChannelFraction,
                    dipChannelWeight);
        };
    }
}
