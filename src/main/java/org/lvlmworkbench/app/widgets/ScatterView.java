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
public final class ScatterView extends CanvasWidget {

    /** One point; {@code group} picks its colour, {@code label} is its read-out. */
    public record Point(double x, double y, String group, String label) {
    }

    /** Ten distinct colours (matplotlib's tab10), so answers up to ten are told apart at a glance. */
    private static final Color[] PALETTE = {Color.web("#1f77b4"), Color.web("#ff7f0e"), Color.web("#2ca02c"),
        Color.web("#d62728"), Color.web("#9467bd"), Color.web("#8c564b"), Color.web("#e377c2"), Color.web("#7f7f7f"),
        Color.web("#bcbd22"), Color.web("#17becf")};
    private static final Color GRID = Color.web("#e6e9f0");
    private static final double RADIUS = 5;
    private static final double HOVER_RADIUS = 12;

    /** The plot rectangle and the data ranges it shows. */
    private record Plot(double left, double top, double width, double height, double xMin, double xMax, double yMin,
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
    private String xLabel = "";
    private String yLabel = "";
    private String placeholder = "no data";
    private Plot plot;
    private int hovered = -1;

    public ScatterView() {
        super("scatter-view", "scatter.png");
    }

    /** Replaces the points; groups take colours in order of first appearance. */
    public void setPoints(List<Point> points) {
        this.points = List.copyOf(points);
        colors.clear();
        for (Point p : this.points) {
            colors.computeIfAbsent(p.group(), g -> PALETTE[colors.size() % PALETTE.length]);
        }
        hovered = -1;
        redraw();
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

    /** Where point {@code index} was last drawn, in canvas coordinates; null before the first drawing. */
    public Point2D pointAt(int index) {
        Point p = points.get(index);
        return plot == null ? null : new Point2D(plot.sx(p.x()), plot.sy(p.y()));
    }

    @Override
    protected void draw(GraphicsContext g, double w, double h) {
        plot = layout(w, h);
        if (plot == null) {
            g.setFill(MUTED);
            g.setTextAlign(TextAlignment.CENTER);
            g.setTextBaseline(VPos.CENTER);
            g.fillText(placeholder, w / 2, h / 2);
            return;
        }
        drawAxes(g);
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (finite(p)) {
                g.setFill(colors.get(p.group()).deriveColor(0, 1, 1, 0.85));
                g.fillOval(plot.sx(p.x()) - RADIUS, plot.sy(p.y()) - RADIUS, 2 * RADIUS, 2 * RADIUS);
            }
        }
        if (hovered >= 0) {
            Point p = points.get(hovered);
            g.setStroke(INK);
            g.setLineWidth(2);
            g.strokeOval(plot.sx(p.x()) - RADIUS - 2, plot.sy(p.y()) - RADIUS - 2, 2 * RADIUS + 4, 2 * RADIUS + 4);
        }
        drawLegend(g, w);
    }

    @Override
    protected String describe(double x, double y) {
        int i = nearest(x, y);
        return i < 0 ? "" : points.get(i).label();
    }

    @Override
    protected void hovered(double x, double y) {
        int i = Double.isNaN(x) ? -1 : nearest(x, y);
        if (i != hovered) {
            hovered = i;
            redraw();
        }
    }

    private int nearest(double x, double y) {
        if (plot == null) {
            return -1;
        }
        int best = -1;
        double bestDistance = HOVER_RADIUS * HOVER_RADIUS;
        for (int i = 0; i < points.size(); i++) {
            Point p = points.get(i);
            if (!finite(p)) {
                continue;
            }
            double dx = plot.sx(p.x()) - x;
            double dy = plot.sy(p.y()) - y;
            if (dx * dx + dy * dy < bestDistance) {
                bestDistance = dx * dx + dy * dy;
                best = i;
            }
        }
        return best;
    }

    private static boolean finite(Point p) {
        return Double.isFinite(p.x()) && Double.isFinite(p.y());
    }

    private Plot layout(double w, double h) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        for (Point p : points) {
            if (finite(p)) {
                xMin = Math.min(xMin, p.x());
                xMax = Math.max(xMax, p.x());
                yMin = Math.min(yMin, p.y());
                yMax = Math.max(yMax, p.y());
            }
        }
        if (xMin > xMax) {
            return null;
        }
        double[] xs = padded(xMin, xMax);
        double[] ys = padded(yMin, yMax);
        double fh = textHeight();
        double tickWidth = 0;
        for (double t : AxisTicks.linear(ys[0], ys[1], 5)) {
            tickWidth = Math.max(tickWidth, textWidth(Numbers.tick(t, AxisTicks.step(ys[0], ys[1], 5))));
        }
        double left = 8 + (yLabel.isEmpty() ? 0 : fh + 6) + tickWidth + 6;
        double top = fh + 14;
        double bottom = fh + 10 + (xLabel.isEmpty() ? 0 : fh + 4);
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

    private void drawAxes(GraphicsContext g) {
        g.setLineWidth(1);
        double xStep = AxisTicks.step(plot.xMin(), plot.xMax(), (int) Math.max(2, Math.min(10, plot.width() / 70)));
        double yStep = AxisTicks.step(plot.yMin(), plot.yMax(), 5);
        double bottom = plot.top() + plot.height();
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        for (double t : AxisTicks.multiples(plot.xMin(), plot.xMax(), xStep)) {
            double x = Math.round(plot.sx(t)) + 0.5;
            g.setStroke(GRID);
            g.strokeLine(x, plot.top(), x, bottom);
            g.setFill(INK);
            g.fillText(Numbers.tick(t, xStep), x, bottom + 4);
        }
        g.setTextAlign(TextAlignment.RIGHT);
        g.setTextBaseline(VPos.CENTER);
        for (double t : AxisTicks.multiples(plot.yMin(), plot.yMax(), yStep)) {
            double y = Math.round(plot.sy(t)) + 0.5;
            g.setStroke(GRID);
            g.strokeLine(plot.left(), y, plot.left() + plot.width(), y);
            g.setFill(INK);
            g.fillText(Numbers.tick(t, yStep), plot.left() - 6, y);
        }
        g.setStroke(MUTED);
        g.strokeRect(plot.left() + 0.5, plot.top() + 0.5, plot.width(), plot.height());
        g.setFill(MUTED);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        if (!xLabel.isEmpty()) {
            g.fillText(xLabel, plot.left() + plot.width() / 2, bottom + 6 + textHeight());
        }
        if (!yLabel.isEmpty()) {
            g.save();
            g.translate(8 + textHeight() / 2, plot.top() + plot.height() / 2);
            g.rotate(-90);
            g.setTextBaseline(VPos.CENTER);
            g.fillText(yLabel, 0, 0, plot.height());
            g.restore();
        }
    }

    private void drawLegend(GraphicsContext g, double w) {
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
