package org.lvlmworkbench.core.analysis.similarity;

import java.util.List;

/** A layer-similarity analysis: settings, what it ran on, the CKA matrices and the per-block influence. */
public record SimilarityResult(SimilaritySettings settings, String model, String probeSet, String probeFingerprint,
        List<CkaMatrix> cka, List<LayerInfluence> influence) {

    /** The matrix for this tower, selection and kernel, or null. */
    public CkaMatrix matrix(String tower, TokenSelection tokens, CkaKernel kernel) {
        return cka.stream().filter(m -> m.tower().equals(tower) && m.tokens() == tokens && m.kernel() == kernel)
                .findFirst().orElse(null);
    }
}
