package org.lvlmworkbench.core.render;

import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Line2D;
import java.util.Arrays;
import java.util.List;

/**
 * The frame of an x–y chart: title, axes with round ticks and grid, axis titles and, for more than
 * one entry, a legend at the right. {@link #layout} sizes the plot area from the text it must fit;
 * a chart draws its background, then its data clipped to {@link #plot()}, then the axes on top.
 */
final class XYFrame {

    static final int MIN_WIDTH = 240;
    static final int MIN_HEIGHT = 160;
    /** Pixels between y ticks and between x ticks the tick count aims for. */
    private static final int Y_TICK_SPACING = 50;
    private static final int X_TICK_SPACING = 90;

    private final Rectangle plot;
    private final Scale x;
    private final Scale y;
    private final double[] xTicks;
    private final String[] xLabels;
    private final double[] yTicks;
    private final String[] yLabels;
    private final ChartTitles titles;
    private final List<Legend.Entry> legend;
    private final int legendWidth;
    private final int width;

    private XYFrame(Rectangle plot, Scale x, Scale y, double[] xTicks, String[] xLabels, double[] yTicks,
            String[] yLabels, ChartTitles titles, List<Legend.Entry> legend, int legendWidth, int width) {
        this.plot = plot;
        this.x = x;
        this.y = y;
        this.xTicks = xTicks;
        this.xLabels = xLabels;
        this.yTicks = yTicks;
        this.yLabels = yLabels;
        this.titles = titles;
        this.legend = legend;
        this.legendWidth = legendWidth;
        this.width = width;
    }

    static Theme.Canvas canvas(String chart, int width, int height) {
        return Theme.canvas(chart, width, height, MIN_WIDTH, MIN_HEIGHT);
    }

    static XYFrame layout(Graphics2D g, int width, int height, ChartTitles titles, Scale x, Scale y,
            List<Legend.Entry> legend) {
        int tickH = Text.lineHeight(g, Theme.TICK);
        int labelH = Text.lineHeight(g, Theme.LABEL);
        int top = titleBand(g, titles.title());
        int bottom = Theme.TICK_LENGTH + Theme.GAP + tickH + (titles.xTitle() != null ? Theme.GAP + labelH : 0)
                + Theme.PAD;
        int plotH = height - top - bottom;

        double[] yTicks = y.ticks(Math.max(2, plotH / Y_TICK_SPACING));
        String[] yLabels = y.labels(yTicks);
        int left = Theme.PAD + (titles.yTitle() != null ? labelH + Theme.GAP : 0)
                + (int) Math.ceil(Text.maxWidth(g, Theme.TICK, Arrays.asList(yLabels))) + Theme.GAP + Theme.TICK_LENGTH;

        int legendWidth = legend.size() > 1 ? Legend.width(g, legend, (int) (width * 0.28)) : 0;
        int right = legendWidth > 0 ? legendWidth + 3 * Theme.PAD : Theme.PAD;
        int plotW = width - left - right;

        double[] xTicks = null;
        String[] xLabels = null;
        for (int target = Math.max(2, plotW / X_TICK_SPACING); target >= 1; target--) {
            xTicks = x.ticks(target);
            xLabels = x.labels(xTicks);
            if (!overlap(g, x, xTicks, xLabels, plotW)) {
                break;
            }
        }
        if (xLabels.length > 0 && legendWidth == 0) {
            // The last label is centred on its tick; keep its right half inside the image.
            double lastX = x.fraction(xTicks[xTicks.length - 1]) * plotW;
            double overhang = lastX + Text.width(g, Theme.TICK, xLabels[xLabels.length - 1]) / 2 + 2 - plotW;
            plotW -= (int) Math.ceil(Math.max(0, overhang - (right - Theme.GAP)));
        }
        Rectangle plot = new Rectangle(left, top, plotW, plotH);
        return new XYFrame(plot, x, y, xTicks, xLabels, yTicks, yLabels, titles, legend, legendWidth, width);
    }

    private static boolean overlap(Graphics2D g, Scale x, double[] ticks, String[] labels, int plotW) {
        for (int i = 1; i < ticks.length; i++) {
            double distance = (x.fraction(ticks[i]) - x.fraction(ticks[i - 1])) * plotW;
            double needed = (Text.width(g, Theme.TICK, labels[i]) + Text.width(g, Theme.TICK, labels[i - 1])) / 2 + 10;
            if (distance < needed) {
                return true;
            }
        }
        return false;
    }

    Rectangle plot() {
        return plot;
    }

    double px(double v) {
        return plot.x + x.fraction(v) * plot.width;
    }

    double py(double v) {
        return plot.y + plot.height - y.fraction(v) * plot.height;
    }

    /** Grid lines at the ticks, under the data. */
    void drawBackground(Graphics2D g) {
        g.setColor(Theme.GRID);
        g.setStroke(Theme.HAIRLINE);
        for (double t : yTicks) {
            double py = snap(py(t));
            g.draw(new Line2D.Double(plot.x, py, plot.getMaxX(), py));
        }
        for (double t : xTicks) {
            double px = snap(px(t));
            g.draw(new Line2D.Double(px, plot.y, px, plot.getMaxY()));
        }
    }

    /** Says in the middle of the plot why it shows no data (e.g. "no finite values to plot"). */
    void drawEmptyNote(Graphics2D g, String note) {
        g.setColor(Theme.MUTED_TEXT);
        Text.draw(g, Theme.LABEL, note, plot.getCenterX(), plot.getCenterY(), 0.5, 0.5);
    }

    /** Axes, ticks, their labels, the titles and the legend, over the data. */
    void drawAxes(Graphics2D g) {
        g.setStroke(Theme.HAIRLINE);
        g.setColor(Theme.AXIS);
        double bottom = plot.getMaxY() + 0.5;
        double left = plot.x - 0.5;
        // Each spine runs half a pixel past the corner so that the corner pixel is fully covered.
        g.draw(new Line2D.Double(left, plot.y, left, bottom + 0.5));
        g.draw(new Line2D.Double(left - 0.5, bottom, plot.getMaxX(), bottom));
        for (int i = 0; i < yTicks.length; i++) {
            double py = snap(py(yTicks[i]));
            g.setColor(Theme.AXIS);
            g.draw(new Line2D.Double(left - Theme.TICK_LENGTH, py, left, py));
            g.setColor(Theme.TEXT);
            Text.draw(g, Theme.TICK, yLabels[i], left - Theme.TICK_LENGTH - Theme.GAP, py, 1, 0.5);
        }
        for (int i = 0; i < xTicks.length; i++) {
            double px = snap(px(xTicks[i]));
            g.setColor(Theme.AXIS);
            g.draw(new Line2D.Double(px, bottom, px, bottom + Theme.TICK_LENGTH));
            g.setColor(Theme.TEXT);
            Text.draw(g, Theme.TICK, xLabels[i], px, bottom + Theme.TICK_LENGTH + Theme.GAP, 0.5, 0);
        }
        g.setColor(Theme.TEXT);
        if (titles.xTitle() != null) {
            double y0 = bottom + Theme.TICK_LENGTH + Theme.GAP + Text.lineHeight(g, Theme.TICK) + Theme.GAP;
            Text.draw(g, Theme.LABEL, Text.fit(g, Theme.LABEL, titles.xTitle(), plot.width), plot.getCenterX(), y0, 0.5,
                    0);
        }
        if (titles.yTitle() != null) {
            Text.drawUp(g, Theme.LABEL, Text.fit(g, Theme.LABEL, titles.yTitle(), plot.height), Theme.PAD,
                    plot.getCenterY(), 0.5, 0);
        }
        drawTitle(g, titles.title(), plot.getCenterX(), width);
        if (legendWidth > 0) {
            Legend.draw(g, legend, (int) plot.getMaxX() + 2 * Theme.PAD, plot.y, legendWidth, plot.height);
        }
    }

    /**
     * Where a chart's picture may begin below the top edge: under the title's line when there is a
     * title, else half a tick label's height down so that the topmost label is not cut.
     */
    static int titleBand(Graphics2D g, String title) {
        return Theme.PAD + (title != null ? Text.lineHeight(g, Theme.TITLE) + 2 * Theme.GAP
                : Text.lineHeight(g, Theme.TICK) / 2);
    }

    /** A title centred on {@code centreX} where it fits, shifted (or cut) to stay inside the image; none for null. */
    static void drawTitle(Graphics2D g, String title, double centreX, int width) {
        if (title == null) {
            return;
        }
        String fitted = Text.fit(g, Theme.TITLE, title, width - 2 * Theme.PAD);
        double w = Text.width(g, Theme.TITLE, fitted);
        double leftEdge = Math.max(Theme.PAD, Math.min(centreX - w / 2, width - Theme.PAD - w));
        g.setColor(Theme.TEXT);
        Text.draw(g, Theme.TITLE, fitted, leftEdge, Theme.PAD, 0, 0);
    }

    /** Centre of the pixel a coordinate falls in, so one-pixel lines are crisp rather than smeared over two. */
    static double snap(double v) {
        return Math.floor(v) + 0.5;
    }
}
