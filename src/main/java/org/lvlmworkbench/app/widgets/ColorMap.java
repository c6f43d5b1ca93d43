package org.lvlmworkbench.app.widgets;

import javafx.scene.paint.Color;

/**
 * The colour maps every widget draws with, as JavaFX colours. The 256-entry tables are the core's
 * ({@link org.lvlmworkbench.core.render.ColorMap}: matplotlib's viridis, ColorBrewer's RdBu reversed to
 * blue–white–red), looked up the same way, so a map in the window and the PNG the command line
 * renders from the same values have the same colours.
 */
public enum ColorMap {

    /** Sequential, perceptually uniform: for magnitudes. */
    VIRIDIS(org.lvlmworkbench.core.render.ColorMap.VIRIDIS),

    /** Blue below the middle, near-white at it, red above: for signed values centred on zero. */
    DIVERGING(org.lvlmworkbench.core.render.ColorMap.BLUE_WHITE_RED);

    /** Entries per table. */
    public static final int SIZE = org.lvlmworkbench.core.render.ColorMap.SIZE;

    private final org.lvlmworkbench.core.render.ColorMap table;

    ColorMap(org.lvlmworkbench.core.render.ColorMap table) {
        this.table = table;
    }

    /** Whether the map's middle means zero, so that an automatic colour range is centred on it. */
    public boolean diverging() {
        return table.diverging();
    }

    /** Opaque ARGB for {@code fraction} of the range (clamped to [0, 1]); NaN, "no value", gives 0 (transparent). */
    public int argb(double fraction) {
        return Double.isNaN(fraction) ? 0 : 0xff000000 | table.rgb(fraction);
    }

    /** {@link #argb} with the given opacity; NaN gives {@link Color#TRANSPARENT}. */
    public Color color(double fraction, double opacity) {
        if (Double.isNaN(fraction)) {
            return Color.TRANSPARENT;
        }
        int c = table.rgb(fraction);
        return Color.rgb(c >> 16 & 0xff, c >> 8 & 0xff, c & 0xff, opacity);
    }
}
