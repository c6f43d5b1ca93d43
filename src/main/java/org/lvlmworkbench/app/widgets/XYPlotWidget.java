package org.lvlmworkbench.app.widgets;

import java.util.function.DoubleFunction;
import java.util.function.DoubleUnaryOperator;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * What the line chart and the scatter plot share: the placeholder shown when there is nothing to plot,
 * axis titles and the room they take, grid lines with tick labels, and the point nearest the mouse as
 * the item under it ({@code {series, point}}). A subclass lays its plot out (where it goes and the data
 * ranges it shows, a {@code P}), draws it and offers its drawn points to the search.
 *
 * @param <P> the subclass's plot layout
 */
public abstract class XYPlotWidget<P> extends CanvasWidget {

    private static final Color GRID = Color.web("#e6e9f0");

    private final double hoverRadius;
    private String xLabel = "";
    private String yLabel = "";
    private String placeholder = "no data";
    /** The plot as last laid out, or null when the last drawing showed the placeholder (or there was none yet). */
    private P plot;

    /** @param hoverRadius how far from a point, in pixels, the mouse still reads it out */
    XYPlotWidget(String styleClass, String fileName, double hoverRadius) {
        super(styleClass, fileName);
        this.hoverRadius = hoverRadius;
    }

    public void setAxisLabels(String x, String y) {
        this.xLabel = x == null ? "" : x;
        this.yLabel = y == null ? "" : y;
        redraw();
    }

    /** What an empty plot says ("no data" by default). */
    public void setPlaceholder(String text) {
        this.placeholder = text;
        redraw();
    }

    /** Where the plot goes on a {@code w × h} canvas, or null when there is nothing to plot or no room. */
    protected abstract P plotLayout(double w, double h);

    /** Draws {@code plot}, as {@link #plotLayout} placed it: axes, data and legend. */
    protected abstract void drawPlot(GraphicsContext g, P plot, double w);

    /** Offers the canvas position of every point drawn in {@code plot} to {@code nearest}. */
    protected abstract void offerDrawnPoints(P plot, NearestPoint nearest);

    /** The plot as last drawn, or null before the first drawing and while the placeholder shows. */
    protected final P plot() {
        return plot;
    }

    @Override
    protected final void draw(GraphicsContext g, double w, double h) {
        plot = plotLayout(w, h);
        if (plot == null) {
            drawNote(g, w, h, placeholder);
        } else {
            drawPlot(g, plot, w);
        }
    }

    /** {@code {series, point}} of the drawn point nearest {@code (x, y)} within the hover radius, or null. */
    @Override
    protected final int[] itemAt(double x, double y) {
        if (plot == null) {
            return null;
        }
        NearestPoint nearest = new NearestPoint(x, y, hoverRadius);
        offerDrawnPoints(plot, nearest);
        return nearest.best();
    }

    /** Room left of the plot: a margin, the y title (if any), then tick labels {@code tickWidth} wide. */
    protected final double leftMargin(double tickWidth) {
        return 8 + (yLabel.isEmpty() ? 0 : textHeight() + 6) + tickWidth + 6;
    }

    /** Room below the plot: the x tick labels, then the x title (if any). */
    protected final double bottomMargin() {
        double fh = textHeight();
        return fh + 10 + (xLabel.isEmpty() ? 0 : fh + 4);
    }

    /** A vertical grid line at each x tick ({@code sx} places it) from {@code top} to {@code bottom}, labelled below. */
    protected static void drawXTicks(GraphicsContext g, double[] ticks, DoubleFunction<String> label,
            DoubleUnaryOperator sx, double top, double bottom) {
        drawTicks(g, true, ticks, label, sx, top, bottom);
    }

    /** A horizontal grid line at each y tick ({@code sy} places it) from {@code left} to {@code right}, labelled at the left. */
    protected static void drawYTicks(GraphicsContext g, double[] ticks, DoubleFunction<String> label,
            DoubleUnaryOperator sy, double left, double right) {
        drawTicks(g, false, ticks, label, sy, left, right);
    }

    /** The x title centred under the plot at {@code (left, top, width, height)}, the y title reading upwards at its left. */
    protected final void drawAxisTitles(GraphicsContext g, double left, double top, double width, double height) {
        g.setFill(MUTED);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        if (!xLabel.isEmpty()) {
            g.fillText(xLabel, left + width / 2, top + height + 6 + textHeight());
        }
        if (!yLabel.isEmpty()) {
            g.save();
            g.translate(8 + textHeight() / 2, top + height / 2);
            g.rotate(-90);
            g.setTextBaseline(VPos.CENTER);
            g.fillText(yLabel, 0, 0, height);
            g.restore();
        }
    }

    /** One axis's grid lines across the plot, from {@code from} to {@code to}, each labelled just outside the plot. */
    private static void drawTicks(GraphicsContext g, boolean xAxis, double[] ticks, DoubleFunction<String> label,
            DoubleUnaryOperator position, double from, double to) {
        g.setTextAlign(xAxis ? TextAlignment.CENTER : TextAlignment.RIGHT);
        g.setTextBaseline(xAxis ? VPos.TOP : VPos.CENTER);
        for (double t : ticks) {
            // Centred on a pixel, so that the one-pixel line is crisp.
            double at = Math.round(position.applyAsDouble(t)) + 0.5;
            g.setStroke(GRID);
            if (xAxis) {
                g.strokeLine(at, from, at, to);
                g.setFill(INK);
                g.fillText(label.apply(t), at, to + 4);
            } else {
                g.strokeLine(from, at, to, at);
                g.setFill(INK);
                g.fillText(label.apply(t), from - 6, at);
            }
        }
    }

    /** The smallest box holding the points given to it: the data ranges a plot must show. Read its fields. */
    static final class DataExtent {

        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;

        void include(double x, double y) {
            xMin = Math.min(xMin, x);
            xMax = Math.max(xMax, x);
            yMin = Math.min(yMin, y);
            yMax = Math.max(yMax, y);
        }

        /** True until a point was included. */
        boolean isEmpty() {
            return xMin > xMax;
        }
    }

    /** Keeps the nearest of the points offered to it, strictly within a radius; the first of equals wins. */
    protected static final class NearestPoint {

        private final double x;
        private final double y;
        private double bestDistance;
        private int[] best;

        private NearestPoint(double x, double y, double radius) {
            this.x = x;
            this.y = y;
            this.bestDistance = radius * radius;
        }

        /** Point {@code point} of series {@code series}, drawn at {@code (px, py)}. */
        public void offer(double px, double py, int series, int point) {
            double dx = px - x;
            double dy = py - y;
            if (dx * dx + dy * dy < bestDistance) {
                bestDistance = dx * dx + dy * dy;
                best = new int[] {series, point};
            }
        }

        /** {@code {series, point}} of the nearest point offered, or null if none was within the radius. */
        public int[] best() {
            return best;
        }
    }
}
