package org.lvlmworkbench.app.widgets;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.geometry.Point2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * Points in a plane coloured by group (e.g. hidden states projected on two principal components,
 * coloured by answer), with round ticks, a legend of the groups in order of first appearance, and a
 * read-out of the point under the mouse (its own label, e.g. the item's prompt and answer).
 */
public final class ScatterView extends XYPlotWidget<ScatterView.Plot> {

    /** One point; {@code group} picks its colour, {@code label} is its read-out. */
    public record Point(double x, double y, String group, String label) {
    }

    /** Ten distinct colours (matplotlib's tab10), so answers up to ten are told apart at a glance. */
    private static final Color[] PALETTE = {Color.web("#1f77b4"), Color.web("#ff7f0e"), Color.web("#2ca02c"),
        Color.web("#d62728"), Color.web("#9467bd"), Color.web("#8c564b"), Color.web("#e377c2"), Color.web("#7f7f7f"),
        Color.web("#bcbd22"), Color.web("#17becf")};
    private static final double RADIUS = 5;
    /** Points are read out only close by: a scatter is dense, and the nearest point is the one meant. */
    private static final double HOVER_RADIUS = 12;

    /** The plot rectangle and the data ranges it shows. */
    record Plot(double left, double top, double width, double height, double xMin, double xMax, double yMin,
            double yMax) {

        double sx(double x) {
            return left + (x - xMin) / (xMax - xMin) * width;
        }

        double sy(double y) {
            return top + (1 - (y - yMin) / (yMax - yMin)) * height;
        }
    }

    private List<Point> points = List.of();
    private final Map<String, Color> colors = new LinkedHashMap<>();

    public ScatterView() {
        super("scatter-view", "scatter.png", HOVER_RADIUS);
    }

    /** Replaces the points; groups take colours in order of first appearance. */
    public void setPoints(List<Point> points) {
        this.points = List.copyOf(points);
        colors.clear();
        for (Point p : this.points) {
            colors.computeIfAbsent(p.group(), g -> PALETTE[colors.size() % PALETTE.length]);
        }
        clearHoveredItem();
        redraw();
    }

    /** Where point {@code index} was last drawn, in canvas coordinates; null before the first drawing. */
    public Point2D pointAt(int index) {
        Point p = points.get(index);
        Plot plot = plot();
        return plot == null ? null : new Point2D(plot.sx(p.x()), plot.sy(p.y()));
    }

    @Override
    protected void drawPlot(GraphicsContext g, Plot plot, double w) {
        drawAxes(g, plot);
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (finite(p)) {
                g.setFill(colors.get(p.group()).deriveColor(0, 1, 1, 0.85));
                g.fillOval(plot.sx(p.x()) - RADIUS, plot.sy(p.y()) - RADIUS, 2 * RADIUS, 2 * RADIUS);
            }
        }
        int[] hovered = hoveredItem();
        if (hovered != null) {
            Point p = points.get(hovered[1]);
            g.setStroke(INK);
            g.setLineWidth(2);
            g.strokeOval(plot.sx(p.x()) - RADIUS - 2, plot.sy(p.y()) - RADIUS - 2, 2 * RADIUS + 4, 2 * RADIUS + 4);
        }
        drawLegend(g, plot, w);
    }

    @Override
    protected String describe(int[] item) {
        return points.get(item[1]).label();
    }

    /** The points are one series: point {@code i} is item {@code {0, i}}. */
    @Override
    protected void offerDrawnPoints(Plot plot, NearestPoint nearest) {
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (finite(p)) {
                nearest.offer(plot.sx(p.x()), plot.sy(p.y()), 0, i);
            }
        }
    }

    private static boolean finite(Point p) {
        return Double.isFinite(p.x()) && Double.isFinite(p.y());
    }

    @Override
    protected Plot plotLayout(double w, double h) {
        DataExtent data = new DataExtent();
        for (Point p : points) {
            if (finite(p)) {
                data.include(p.x(), p.y());
            }
        }
        if (data.isEmpty()) {
            return null;
        }
        double[] xs = padded(data.xMin, data.xMax);
        double[] ys = padded(data.yMin, data.yMax);
        double fh = textHeight();
        double tickWidth = 0;
        for (double t : AxisTicks.linear(ys[0], ys[1], 5)) {
            tickWidth = Math.max(tickWidth, textWidth(Numbers.tick(t, AxisTicks.step(ys[0], ys[1], 5))));
        }
        double left = leftMargin(tickWidth);
        double top = fh + 14;
        double bottom = bottomMargin();
        double width = w - left - 14;
        double height = h - top - bottom;
        if (width < 20 || height < 20) {
            return null;
        }
        return new Plot(left, top, width, height, xs[0], xs[1], ys[0], ys[1]);
    }

    /** The span with 6 % room on each side, so points on the edge are whole; a single value gets ±1. */
    private static double[] padded(double min, double max) {
        if (min == max) {
            return new double[] {min - 1, max + 1};
        }
        double pad = (max - min) * 0.06;
        return new double[] {min - pad, max + pad};
    }

    private void drawAxes(GraphicsContext g, Plot plot) {
        g.setLineWidth(1);
        double xStep = AxisTicks.step(plot.xMin(), plot.xMax(), (int) Math.max(2, Math.min(10, plot.width() / 70)));
        double yStep = AxisTicks.step(plot.yMin(), plot.yMax(), 5);
        double bottom = plot.top() + plot.height();
        drawXTicks(g, AxisTicks.multiples(plot.xMin(), plot.xMax(), xStep), t -> Numbers.tick(t, xStep), plot::sx,
                plot.top(), bottom);
        drawYTicks(g, AxisTicks.multiples(plot.yMin(), plot.yMax(), yStep), t -> Numbers.tick(t, yStep), plot::sy,
                plot.left(), plot.left() + plot.width());
        g.setStroke(MUTED);
        g.strokeRect(plot.left() + 0.5, plot.top() + 0.5, plot.width(), plot.height());
        drawAxisTitles(g, plot.left(), plot.top(), plot.width(), plot.height());
    }

    private void drawLegend(GraphicsContext g, Plot plot, double w) {
        double x = plot.left();
        double y = 4 + textHeight() / 2;
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.CENTER);
        for (String group : colors.keySet()) {
            double width = 14 + textWidth(group) + 14;
            if (x + width > w) {
                g.setFill(MUTED);
                g.fillText("…", x, y);
                break;
            }
            g.setFill(colors.get(group));
            g.fillOval(x, y - 4, 8, 8);
            g.setFill(INK);
            g.fillText(group, x + 12, y);
            x += width;
        }
    }
}
