package org.lvlmworkbench.core.analysis.tokens;

import java.util.List;

/** A visual-token importance analysis: its settings, what it ran on, and every item's attention read-out. */
public record TokenImportanceResult(VisualTokenSettings settings, String model, String probeSet,
        String probeFingerprint, int layers, List<ItemTokenImportance> items) {
}
