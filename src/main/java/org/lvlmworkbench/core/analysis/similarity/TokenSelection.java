package org.lvlmworkbench.core.analysis.similarity;

import org.lvlmworkbench.core.analysis.probe.TokenInfo;

/**
 * Which decoder positions feed the layer statistics. Short-LVLM's lesson: with hundreds of image
 * tokens, statistics over all tokens are dominated by them, so they are also computed on each kind
 * alone.
 */
public enum TokenSelection {
    ALL("all tokens"),
    IMAGE("image tokens"),
    TEXT("text tokens");

    private final String label;

    TokenSelection(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    public boolean accepts(TokenInfo t) {
        return switch (this) {
            case ALL -> true;
            case IMAGE -> t.isImage();
            case TEXT -> !t.isImage();
        };
    }
}
