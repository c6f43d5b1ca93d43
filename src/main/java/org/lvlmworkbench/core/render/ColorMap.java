package org.lvlmworkbench.core.render;

/**
 * A colour map: 256 colours from low to high, looked up as matplotlib does (a value's fraction
 * {@code t} of the range picks entry {@code min(255, floor(t * 256))}). Missing values (NaN) are
 * drawn in {@link #NAN_RGB} by every renderer.
 */
public enum ColorMap {

    /** Sequential and perceptually uniform: dark violet through teal to yellow. */
    VIRIDIS(ColorTables.VIRIDIS, false),

    /** Diverging: blue below the middle, near-white at it, red above. Meant for ranges centred on zero. */
    BLUE_WHITE_RED(ColorTables.BLUE_WHITE_RED, true);

    /** Number of entries in every table. */
    public static final int SIZE = 256;

    /** Light grey for NaN cells; neither map contains it. */
    public static final int NAN_RGB = 0xc8c8c8;

    private final int[] table;
    private final boolean diverging;

    ColorMap(int[] table, boolean diverging) {
        if (table.length != SIZE) {
            throw new IllegalStateException("colour table " + name() + " has " + table.length + " entries, not " + SIZE);
        }
        this.table = table;
        this.diverging = diverging;
    }

    /** Whether the map's middle means "zero" (renderers then centre an automatic range on zero). */
    public boolean diverging() {
        return diverging;
    }

    /** The entry at {@code index} (0 = low end, 255 = high end) as 0xRRGGBB. */
    public int entry(int index) {
        if (index < 0 || index >= SIZE) {
            throw new IllegalArgumentException(name() + ": entry " + index + " outside 0.." + (SIZE - 1));
        }
        return table[index];
    }

    /** The colour at a fraction of the range, clamped to [0, 1]; NaN gives {@link #NAN_RGB}. */
    public int rgb(double fraction) {
        if (Double.isNaN(fraction)) {
            return NAN_RGB;
        }
        int index = (int) Math.floor(Math.max(0, Math.min(1, fraction)) * SIZE);
        return table[Math.min(SIZE - 1, index)];
    }

    /** The colour of {@code value} in {@code [min, max]}, clamped at the ends; NaN gives {@link #NAN_RGB}. */
    public int rgb(double value, double min, double max) {
        return rgb((value - min) / (max - min));
    }
}
