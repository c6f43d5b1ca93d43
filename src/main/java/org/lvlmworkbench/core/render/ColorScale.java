package org.lvlmworkbench.core.render;

import java.awt.Graphics2D;
import java.awt.Rectangle;

/**
 * How a chart that colours a matrix of values (heatmap, patch overlay) maps them to colours, and
 * its colour bar: the map, a fixed range or null for the data's own, and the bar's label (or null).
 */
record ColorScale(ColorMap map, ValueRange fixedRange, String label) {

    /** The range the colours span: the fixed one, else the data's (centred on zero for a diverging map). */
    ValueRange range(double[][] values) {
        return fixedRange != null ? fixedRange : ValueRange.ofData(values, map.diverging());
    }

    /** The width the colour bar needs beside a {@code height}-pixel-high picture. */
    int barWidth(Graphics2D g, ValueRange range, int height, boolean nan) {
        return ColorBar.width(g, range, label, height, nan);
    }

    /** The colour bar in {@code area}, with a "NaN" swatch when {@code nan}. */
    void drawBar(Graphics2D g, Rectangle area, ValueRange range, boolean nan) {
        ColorBar.draw(g, area, map, range, label, nan);
    }
}
