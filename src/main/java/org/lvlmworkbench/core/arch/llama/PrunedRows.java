package org.lvlmworkbench.core.arch.llama;

import java.util.Arrays;

/**
 * The rows of one pass's sequence while visual-token pruning removes image tokens from it: for each
 * row still in the residual stream, its original rotary position and its index in the pass's input,
 * and which rows are image tokens. Plain bookkeeping, no tensors.
 */
final class PrunedRows {

    private long[] positions;
    private int[] inputRows;
    private boolean[] image;
    private final int originalImages;

    /**
     * @param positions rotary position of every input row
     * @param imageRows input rows holding image tokens, ascending
     */
    PrunedRows(long[] positions, int[] imageRows) {
        int t = positions.length;
        this.positions = positions.clone();
        this.inputRows = new int[t];
        this.image = new boolean[t];
        for (int i = 0; i < t; i++) {
            inputRows[i] = i;
        }
        int previous = -1;
        for (int r : imageRows) {
            if (r <= previous || r >= t) {
                throw new IllegalArgumentException("image rows must ascend within 0.." + (t - 1) + ", found "
                        + Arrays.toString(imageRows));
            }
            image[r] = true;
            previous = r;
        }
        this.originalImages = imageRows.length;
    }

    int size() {
        return positions.length;
    }

    int originalImages() {
        return originalImages;
    }

    /** The current rotary positions, one per row (a copy). */
    long[] positions() {
        return positions.clone();
    }

    /** Current row indices of the image tokens still present, ascending. */
    int[] imageRows() {
        int n = 0;
        for (boolean b : image) {
            n += b ? 1 : 0;
        }
        int[] out = new int[n];
        int j = 0;
        for (int i = 0; i < image.length; i++) {
            if (image[i]) {
                out[j++] = i;
            }
        }
        return out;
    }

    /**
     * Keeps every text row and the image tokens at {@code keptImages} (ascending indices into
     * {@link #imageRows()}), and returns the current rows that stay, ascending: the rows to gather.
     */
    int[] keep(int[] keptImages) {
        int[] images = imageRows();
        boolean[] stays = new boolean[size()];
        for (int i = 0; i < stays.length; i++) {
            stays[i] = !image[i];
        }
        for (int k : keptImages) {
            stays[images[k]] = true;
        }
        int n = 0;
        for (boolean b : stays) {
            n += b ? 1 : 0;
        }
        int[] rows = new int[n];
        long[] newPositions = new long[n];
        int[] newInputRows = new int[n];
        boolean[] newImage = new boolean[n];
        int j = 0;
        for (int i = 0; i < stays.length; i++) {
            if (stays[i]) {
                rows[j] = i;
                newPositions[j] = positions[i];
                newInputRows[j] = inputRows[i];
                newImage[j] = image[i];
                j++;
            }
        }
        positions = newPositions;
        inputRows = newInputRows;
        image = newImage;
        return rows;
    }

    /** The current rows of the given input rows; refuses one that a stage removed. */
    long[] rowsOf(long[] wantedInputRows) {
        long[] out = new long[wantedInputRows.length];
        for (int i = 0; i < out.length; i++) {
            long wanted = wantedInputRows[i];
            int at = wanted < 0 || wanted > Integer.MAX_VALUE ? -1 : Arrays.binarySearch(inputRows, (int) wanted);
            if (at < 0) {
                throw new IllegalArgumentException("the logits of row " + wanted + " were asked for, but "
                        + "visual-token pruning removed that image token before the last layer");
            }
            out[i] = at;
        }
        return out;
    }
}
