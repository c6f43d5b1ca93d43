package org.lvlmworkbench.core.render;

import java.awt.image.BufferedImage;

/** A chart that draws itself at any size, as pixels or as SVG (the same drawing either way). */
public interface Chart {

    /** The chart as a {@code width} × {@code height} RGB image. */
    BufferedImage render(int width, int height);

    /** The chart as a standalone SVG document of {@code width} × {@code height} user units. */
    String svg(int width, int height);
}
