package org.lvlmworkbench.core.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;

/** The light theme every chart shares: colours, fonts (pixel sizes), spacing and rendering quality. */
final class Theme {

    private Theme() {
    }

    static final Color BACKGROUND = Color.WHITE;
    static final Color TEXT = new Color(0x222222);
    static final Color MUTED_TEXT = new Color(0x555555);
    static final Color AXIS = new Color(0x555555);
    static final Color GRID = new Color(0xe6e6e6);
    static final Color FRAME = new Color(0x8c8c8c);
    static final Color MARKER = new Color(0x444444);

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    /** Outer margin of every chart. */
    static final int PAD = 12;
    /** Space between a label and what it labels. */
    static final int GAP = 5;
    static final int TICK_LENGTH = 5;

    /** matplotlib's "tab10": distinct, familiar from papers, readable on white. */
    static final Color[] SERIES = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22),
        new Color(0x17becf)};

    /** The colour of series (or category) {@code i}: past the tenth they repeat, and charts vary dash or glyph instead. */
    static Color series(int i) {
        return SERIES[i % SERIES.length];
    }

    /** Butt caps, so that a line ends exactly where it is told to (square caps reach half a pixel into cells). */
    static final Stroke HAIRLINE = new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER);
    static final Stroke DASHED = new BasicStroke(1.2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
            new float[] {5f, 4f}, 0f);

    /** Largest side accepted, so a typo cannot ask for gigabytes of pixels. */
    static final int MAX_SIDE = 16_384;

    /**
     * A white RGB image of the given size with anti-aliased, fractional-metric text and shapes.
     * {@code minWidth} and {@code minHeight} are what the chart needs to lay out its text at all.
     */
    static Canvas canvas(String chart, int width, int height, int minWidth, int minHeight) {
        checkSize(chart, width, height, minWidth, minHeight);
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        prepare(g, width, height);
        return new Canvas(image, g);
    }

    static void checkSize(String chart, int width, int height, int minWidth, int minHeight) {
        if (width < minWidth || height < minHeight || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException(chart + ": image size " + width + "x" + height + " outside "
                    + minWidth + "x" + minHeight + " .. " + MAX_SIDE + "x" + MAX_SIDE);
        }
    }

    /** The rendering quality every surface (raster or SVG) draws with, and the white background. */
    static void prepare(Graphics2D g, int width, int height) {
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);
    }

    /** A raster image of the drawing (what {@code render} returns). */
    static BufferedImage png(String chart, int width, int height, int minWidth, int minHeight,
            java.util.function.Consumer<Graphics2D> drawing) {
        Canvas canvas = canvas(chart, width, height, minWidth, minHeight);
        drawing.accept(canvas.g());
        return canvas.finish();
    }

    /** The same drawing as an SVG document (what {@code svg} returns). */
    static String svg(String chart, int width, int height, int minWidth, int minHeight,
            java.util.function.Consumer<Graphics2D> drawing) {
        checkSize(chart, width, height, minWidth, minHeight);
        return Svg.draw(width, height, g -> {
            prepare(g, width, height);
            drawing.accept(g);
        });
    }

    /** A crisp one-pixel line around {@code r}, just outside it (a line on whole coordinates would smear over two pixels). */
    static void outline(Graphics2D g, Rectangle r) {
        g.setStroke(HAIRLINE);
        g.draw(new Rectangle2D.Double(r.x - 0.5, r.y - 0.5, r.width + 1, r.height + 1));
    }

    /** A chart's image and the graphics drawing on it (disposed by {@link #finish()}). */
    record Canvas(BufferedImage image, Graphics2D g) {

        BufferedImage finish() {
            g.dispose();
            return image;
        }
    }
}
