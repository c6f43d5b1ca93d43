package org.lvlmworkbench.core.analysis.evolution;

import java.util.List;

/**
 * A knowledge-evolution analysis: its settings, what it ran on, every item's evolution, the
 * aggregate at the first answer token, one PCA per lens entry, and warnings for the reader (such as
 * a "mutation" that only the final norm makes).
 */
public record EvolutionResult(EvolutionSettings settings, String model, String probeSet, String probeFingerprint,
        int entries, List<ItemEvolution> items, EvolutionSummary summary, List<LayerPca> pca, List<String> warnings) {

    /** The label of lens entry {@code e}: "embeddings", "block 0" … */
    public static String entryLabel(int e) {
        return e == 0 ? "embeddings" : "block " + (e - 1);
    }

    /** The label of transition {@code i} (entry i → i+1). */
    public static String transitionLabel(int i) {
        return i == 0 ? "emb→0" : (i - 1) + "→" + i;
    }
}
