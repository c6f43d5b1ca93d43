package org.lvlmworkbench.core.model;

import org.lvlmworkbench.core.processing.RgbImage;

/**
 * Where an image's tokens come from: its features are a {@code rows × cols} grid of patches, in
 * row-major order, over {@code processed} (the image as the vision tower saw it, resized and
 * cropped, before normalisation), optionally after one class token. Views draw per-token values
 * over {@code processed} with this geometry; nothing assumes 576 tokens or a 24×24 grid.
 */
public record PatchGrid(int rows, int cols, boolean leadingClassToken, RgbImage processed) {

    /** Tokens this image occupies in the sequence. */
    public int tokens() {
        return rows * cols + (leadingClassToken ? 1 : 0);
    }

    /** Row and column of the {@code index}-th token of this image, or null for the class token. */
    public int[] cell(int index) {
        int patch = index - (leadingClassToken ? 1 : 0);
        if (patch < 0) {
            return null;
        }
        return new int[] {patch / cols, patch % cols};
    }
}
