package org.lvlmworkbench.core.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;

/**
 * An input image with a value per patch laid over it (e.g. attention from the answer to each image
 * patch): the image scaled to the space available (nearest-neighbour when enlarged, by a whole
 * factor where that fills most of the space, so patches stay crisp), a rows × columns grid of
 * translucent colours over it, optional grid lines, and a colour bar at the side. NaN patches are
 * translucent light grey and named on the colour bar. Build with {@link #builder}.
 */
public final class PatchOverlay implements Chart {

    private static final int MIN_WIDTH = 200;
    private static final int MIN_HEIGHT = 140;
    /** Default opacity of the colours: strong enough to read the map, weak enough to see the image. */
    public static final double DEFAULT_ALPHA = 0.55;
    /** Grid lines are left out where patches are smaller than this on screen: they would hide the image. */
    private static final int MIN_GRID_CELL = 4;

    /** Where the image and the colour bar go in a rendering, and the scale factor of the image. */
    record Layout(Rectangle image, Rectangle colorBar, double scale) {
    }

    private final int imageWidth;
    private final int imageHeight;
    private final byte[] rgb;
    private final double[][] values;
    private final int rows;
    private final int columns;
    private final ChartTitles titles;
    private final ColorScale colorScale;
    private final boolean gridLines;
    private final double alpha;

    private PatchOverlay(Builder b) {
        this.imageWidth = b.imageWidth;
        this.imageHeight = b.imageHeight;
        this.rgb = b.rgb;
        this.values = b.values;
        this.rows = b.values.length;
        this.columns = b.values[0].length;
        this.titles = b.titles();
        this.colorScale = b.colorScale();
        this.gridLines = b.gridLines;
        this.alpha = b.alpha;
    }

    /**
     * An overlay of {@code values[row][column]} (patch rows top to bottom) on an image of
     * {@code imageWidth} × {@code imageHeight} pixels given as RGB triples, row-major (the layout of
     * {@code core.processing.RgbImage#rgb()}).
     */
    public static Builder builder(int imageWidth, int imageHeight, byte[] rgb, double[][] values) {
        return new Builder(imageWidth, imageHeight, rgb, values);
    }

    /** The colour range the patches use: the fixed one, else the data's. */
    public ValueRange range() {
        return colorScale.range(values);
    }

    /** The overlay as a {@code width} × {@code height} RGB image (at least 200 × 140). */
    public BufferedImage render(int width, int height) {
        return Theme.png("PatchOverlay", width, height, MIN_WIDTH, MIN_HEIGHT, g -> draw(g, width, height));
    }

    /** The same chart as an SVG document of {@code width} × {@code height} user units. */
    public String svg(int width, int height) {
        return Theme.svg("PatchOverlay", width, height, MIN_WIDTH, MIN_HEIGHT, g -> draw(g, width, height));
    }

    private void draw(Graphics2D g, int width, int height) {
        ValueRange range = range();
        boolean nan = ValueRange.anyNaN(values);
        Layout l = layout(g, width, height, range, nan);
        Rectangle image = l.image();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, l.scale() >= 1
                ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(photo(), image.x, image.y, image.width, image.height, null);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(overlay(range), image.x, image.y, image.width, image.height, null);
        if (gridLines) {
            drawGrid(g, image);
        }
        g.setColor(Theme.FRAME);
        Theme.outline(g, image);
        colorScale.drawBar(g, l.colorBar(), range, nan);
        XYFrame.drawTitle(g, titles.title(), image.getCenterX(), width);
    }

    /** The layout of a rendering at this size (what {@link #render} draws into). */
    Layout layout(int width, int height) {
        Theme.Canvas canvas = Theme.canvas("PatchOverlay", width, height, MIN_WIDTH, MIN_HEIGHT);
        try {
            return layout(canvas.g(), width, height, range(), ValueRange.anyNaN(values));
        } finally {
            canvas.finish();
        }
    }

    private Layout layout(Graphics2D g, int width, int height, ValueRange range, boolean nan) {
        int top = XYFrame.titleBand(g, titles.title());
        int bottom = Theme.PAD + Text.lineHeight(g, Theme.TICK) / 2;
        int availableHeight = height - top - bottom;
        int barWidth = colorScale.barWidth(g, range, availableHeight, nan);
        int availableWidth = width - 2 * Theme.PAD - 2 * Theme.PAD - barWidth;
        if (availableWidth < 16 || availableHeight < 16) {
            throw new IllegalArgumentException("PatchOverlay: " + width + "x" + height + " leaves no room for the image; "
                    + "render it larger");
        }
        double scale = Math.min((double) availableWidth / imageWidth, (double) availableHeight / imageHeight);
        double whole = Math.floor(scale);
        if (whole >= 1 && whole / scale >= 0.85) {
            scale = whole;
        }
        int w = Math.max(1, (int) Math.round(imageWidth * scale));
        int h = Math.max(1, (int) Math.round(imageHeight * scale));
        int left = Theme.PAD + (availableWidth - w) / 2;
        int y = top + (availableHeight - h) / 2;
        Rectangle image = new Rectangle(left, y, w, h);
        Rectangle bar = new Rectangle(left + w + 2 * Theme.PAD, y, barWidth, h);
        return new Layout(image, bar, scale);
    }

    private BufferedImage photo() {
        BufferedImage img = new BufferedImage(imageWidth, imageHeight, BufferedImage.TYPE_INT_RGB);
        int[] row = new int[imageWidth];
        for (int y = 0; y < imageHeight; y++) {
            for (int x = 0; x < imageWidth; x++) {
                int o = (y * imageWidth + x) * 3;
                row[x] = ((rgb[o] & 0xff) << 16) | ((rgb[o + 1] & 0xff) << 8) | (rgb[o + 2] & 0xff);
            }
            img.setRGB(0, y, imageWidth, 1, row, 0, imageWidth);
        }
        return img;
    }

    /** One translucent pixel per patch, to be stretched over the image. */
    private BufferedImage overlay(ValueRange range) {
        BufferedImage img = new BufferedImage(columns, rows, BufferedImage.TYPE_INT_ARGB);
        int a = (int) Math.round(alpha * 255) << 24;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                img.setRGB(c, r, a | colorScale.map().rgb(values[r][c], range.min(), range.max()));
            }
        }
        return img;
    }

    private void drawGrid(Graphics2D g, Rectangle image) {
        if ((double) image.width / columns < MIN_GRID_CELL || (double) image.height / rows < MIN_GRID_CELL) {
            return;
        }
        g.setColor(new Color(255, 255, 255, 120));
        g.setStroke(Theme.HAIRLINE);
        for (int c = 1; c < columns; c++) {
            double x = XYFrame.snap(image.x + (double) c * image.width / columns);
            g.draw(new Line2D.Double(x, image.y, x, image.getMaxY()));
        }
        for (int r = 1; r < rows; r++) {
            double y = XYFrame.snap(image.y + (double) r * image.height / rows);
            g.draw(new Line2D.Double(image.x, y, image.getMaxX(), y));
        }
    }

    /** Collects the options; the image and the values are required. */
    public static final class Builder extends ColorScaleBuilder<Builder> {

        private final int imageWidth;
        private final int imageHeight;
        private final byte[] rgb;
        private final double[][] values;
        private boolean gridLines;
        private double alpha = DEFAULT_ALPHA;

        private Builder(int imageWidth, int imageHeight, byte[] rgb, double[][] values) {
            super("PatchOverlay");
            if (imageWidth <= 0 || imageHeight <= 0 || rgb == null || rgb.length != (long) imageWidth * imageHeight * 3) {
                throw new IllegalArgumentException("PatchOverlay image: " + (rgb == null ? "no RGB bytes" : rgb.length
                        + " RGB bytes") + " do not fit " + imageWidth + "x" + imageHeight + " (needs width*height*3)");
            }
            this.values = checkedCopy(values, " of patches");
            this.imageWidth = imageWidth;
            this.imageHeight = imageHeight;
            this.rgb = rgb.clone();
        }

        /** Thin white lines between patches (left out where patches are under 4 pixels on screen). */
        public Builder gridLines(boolean gridLines) {
            this.gridLines = gridLines;
            return this;
        }

        /** Opacity of the colours over the image, in (0, 1]; {@value #DEFAULT_ALPHA} by default. */
        public Builder alpha(double alpha) {
            if (!(alpha > 0 && alpha <= 1)) {
                throw new IllegalArgumentException("PatchOverlay alpha: " + alpha + " is outside (0, 1]");
            }
            this.alpha = alpha;
            return this;
        }

        public PatchOverlay build() {
            return new PatchOverlay(this);
        }
    }
}
