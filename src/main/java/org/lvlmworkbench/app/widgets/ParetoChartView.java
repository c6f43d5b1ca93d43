package org.lvlmworkbench.app.widgets;

import java.util.List;
import java.util.function.IntConsumer;
import javafx.geometry.Point2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * Cost against quality, one point per evaluated plan: x is what the model costs (parameters or
 * FLOPs, less is better), y how well it answers (more is better). The Pareto frontier is drawn as
 * the staircase through the points no other point beats on both; the original model is a square,
 * the current plan is ringed. Hovering reads a point out; clicking one tells the
 * {@link #setOnPointClicked listener} its index.
 */
public final class ParetoChartView extends XYPlotWidget<ParetoChartView.Plot> {

    /** One point; {@code original} marks the uncompressed model. */
    public record Point(double x, double y, String label, boolean original) {
    }

    private static final Color FRONTIER = Color.web("#3b6fd8");
    private static final Color DOMINATED = Color.web("#9aa3b5");
    private static final Color ORIGINAL = Color.web("#1f2430");
    private static final double RADIUS = 5;
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
    private int[] frontier = new int[0];
    private int current = -1;
    private String yUnit = "";
    private IntConsumer onPointClicked;

    /** The point the arrow keys are on, or -1. */
    private int keyboardPoint = -1;

    public ParetoChartView() {
        super("pareto-chart-view", "pareto.png", HOVER_RADIUS);
        // Keyboard path: Tab to the chart, Left/Right walk the points by cost, Enter restores one.
        setFocusTraversable(true);
        setOnKeyPressed(e -> {
            switch (e.getCode()) {
                case LEFT, RIGHT -> {
                    stepKeyboardPoint(e.getCode() == javafx.scene.input.KeyCode.RIGHT ? 1 : -1);
                    e.consume();
                }
                case ENTER, SPACE -> {
                    if (keyboardPoint >= 0 && onPointClicked != null) {
                        onPointClicked.accept(keyboardPoint);
                    }
                    e.consume();
                }
                default -> {
                }
            }
        });
        focusedProperty().addListener((obs, was, focused) -> redraw());
    }

    /** Moves the keyboard's point to the next cheaper or dearer one. */
    private void stepKeyboardPoint(int direction) {
        List<Integer> order = new java.util.ArrayList<>();
        for (int i = 0; i < points.size(); i++) {
            if (finite(points.get(i))) {
                order.add(i);
            }
        }
        if (order.isEmpty()) {
            return;
        }
        order.sort(java.util.Comparator.comparingDouble((Integer i) -> points.get(i).x()).thenComparing(i -> i));
        int at = order.indexOf(keyboardPoint);
        int next = at < 0 ? (direction > 0 ? 0 : order.size() - 1)
                : Math.max(0, Math.min(order.size() - 1, at + direction));
        keyboardPoint = order.get(next);
        redraw();
    }

    /** The point the arrow keys are on, or -1. */
    public int keyboardPoint() {
        return keyboardPoint;
    }

    /** Replaces the points; the frontier is recomputed. */
    public void setPoints(List<Point> points) {
        this.points = List.copyOf(points);
        double[] x = new double[this.points.size()];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = this.points.get(i).x();
            y[i] = this.points.get(i).y();
        }
        frontier = ParetoFrontier.of(x, y);
        if (current >= this.points.size()) {
            current = -1;
        }
        if (keyboardPoint >= this.points.size()) {
            keyboardPoint = -1;
        }
        clearHoveredItem();
        redraw();
    }

    /** The point to ring (the plan now in force), or -1. */
    public void setCurrent(int index) {
        this.current = index;
        redraw();
    }

    /** The unit of y for tick labels and the read-out, e.g. "%". */
    public void setYUnit(String unit) {
        this.yUnit = unit == null ? "" : unit;
        redraw();
    }

    public void setOnPointClicked(IntConsumer listener) {
        this.onPointClicked = listener;
    }

    /** Indices of the frontier's points, cheapest first. */
    public int[] frontier() {
        return frontier.clone();
    }

    /** Where point {@code index} was last drawn, in canvas coordinates; null before the first drawing. */
    public Point2D pointAt(int index) {
        Point p = points.get(index);
        Plot plot = plot();
        return plot == null || !finite(p) ? null : new Point2D(plot.sx(p.x()), plot.sy(p.y()));
    }

    @Override
    protected void clicked(double x, double y) {
        int[] item = itemAt(x, y);
        if (item != null && onPointClicked != null) {
            onPointClicked.accept(item[1]);
        }
    }

    @Override
    protected void drawPlot(GraphicsContext g, Plot plot, double w) {
        drawAxes(g, plot);
        drawFrontier(g, plot);
        // Dominated points first, so that a frontier point at the same place is never hidden under one.
        for (int pass = 0; pass < 2; pass++) {
            for (int i = 0; i < points.size(); i++) {
                Point p = points.get(i);
                boolean onFrontier = ParetoFrontier.contains(frontier, i);
                if (!finite(p) || (pass == 0) == (onFrontier || p.original())) {
                    continue;
                }
                double px = plot.sx(p.x());
                double py = plot.sy(p.y());
                if (p.original()) {
                    g.setFill(ORIGINAL);
                    g.fillRect(px - RADIUS, py - RADIUS, 2 * RADIUS, 2 * RADIUS);
                } else {
                    g.setFill(onFrontier ? FRONTIER : DOMINATED);
                    g.fillOval(px - RADIUS, py - RADIUS, 2 * RADIUS, 2 * RADIUS);
                }
            }
        }
        ring(g, plot, current, Color.web("#e4572e"), 2.5, 4);
        int[] hovered = hoveredItem();
        ring(g, plot, hovered == null ? -1 : hovered[1], INK, 1.5, 3);
        if (isFocused()) {
            ring(g, plot, keyboardPoint, FRONTIER, 2, 7);
            if (keyboardPoint >= 0 && keyboardPoint < points.size()) {
                g.setFill(INK);
                g.setTextAlign(TextAlignment.LEFT);
                g.setTextBaseline(VPos.BOTTOM);
                String first = points.get(keyboardPoint).label().lines().findFirst().orElse("");
                g.fillText(first + " · Enter restores", plot.left() + 6, plot.top() + plot.height() - 4, plot.width() - 12);
            }
        }
        drawLegend(g, plot, w);
    }

    private void ring(GraphicsContext g, Plot plot, int index, Color color, double width, double gap) {
        if (index < 0 || index >= points.size() || !finite(points.get(index))) {
            return;
        }
        Point p = points.get(index);
        g.setStroke(color);
        g.setLineWidth(width);
        double r = RADIUS + gap;
        g.strokeOval(plot.sx(p.x()) - r, plot.sy(p.y()) - r, 2 * r, 2 * r);
    }

    /** The staircase of what is attainable: right along a frontier point's y to the next one's x, then up. */
    private void drawFrontier(GraphicsContext g, Plot plot) {
        if (frontier.length < 2) {
            return;
        }
        g.setStroke(FRONTIER.deriveColor(0, 1, 1, 0.6));
        g.setLineWidth(1.5);
        g.beginPath();
        Point first = points.get(frontier[0]);
        g.moveTo(plot.sx(first.x()), plot.sy(first.y()));
        for (int k = 1; k < frontier.length; k++) {
            Point prev = points.get(frontier[k - 1]);
            Point p = points.get(frontier[k]);
            g.lineTo(plot.sx(p.x()), plot.sy(prev.y()));
            g.lineTo(plot.sx(p.x()), plot.sy(p.y()));
        }
        g.stroke();
    }

    @Override
    protected String describe(int[] item) {
        Point p = points.get(item[1]);
        return p.label() + (ParetoFrontier.contains(frontier, item[1]) ? " · on the frontier" : "");
    }

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
        double[] xs = padded(data.xMin, data.xMax, Math.max(1, Math.abs(data.xMax) * 0.05));
        double[] ys = padded(data.yMin, data.yMax, 1);
        double fh = textHeight();
        double tickWidth = 0;
        double yStep = AxisTicks.step(ys[0], ys[1], 5);
        for (double t : AxisTicks.linear(ys[0], ys[1], 5)) {
            tickWidth = Math.max(tickWidth, textWidth(tickLabel(t, yStep)));
        }
        double left = leftMargin(tickWidth);
        double top = fh + 14 + (legendLines(left, w) - 1) * (fh + 4);
        double bottom = bottomMargin();
        double width = w - left - 14;
        double height = h - top - bottom;
        if (width < 20 || height < 20) {
            return null;
        }
        return new Plot(left, top, width, height, xs[0], xs[1], ys[0], ys[1]);
    }

    private String tickLabel(double t, double step) {
        return Numbers.tick(t, step) + (yUnit.isEmpty() ? "" : " " + yUnit);
    }

    /** The span with 8 % room on each side; a single value gets ±{@code lone}. */
    private static double[] padded(double min, double max, double lone) {
        if (min == max) {
            return new double[] {min - lone, max + lone};
        }
        double pad = (max - min) * 0.08;
        return new double[] {min - pad, max + pad};
    }

    private void drawAxes(GraphicsContext g, Plot plot) {
        g.setLineWidth(1);
        double xStep = AxisTicks.step(plot.xMin(), plot.xMax(), (int) Math.max(2, Math.min(8, plot.width() / 80)));
        double yStep = AxisTicks.step(plot.yMin(), plot.yMax(), 5);
        double bottom = plot.top() + plot.height();
        drawXTicks(g, AxisTicks.multiples(plot.xMin(), plot.xMax(), xStep), t -> Numbers.tick(t, xStep), plot::sx,
                plot.top(), bottom);
        drawYTicks(g, AxisTicks.multiples(plot.yMin(), plot.yMax(), yStep), t -> tickLabel(t, yStep), plot::sy,
                plot.left(), plot.left() + plot.width());
        g.setStroke(MUTED);
        g.strokeRect(plot.left() + 0.5, plot.top() + 0.5, plot.width(), plot.height());
        drawAxisTitles(g, plot.left(), plot.top(), plot.width(), plot.height());
    }

    private static final String[] LEGEND = {"original", "on the frontier", "dominated", "current plan"};

    private static double legendWidth(int i) {
        return 16 + textWidth(LEGEND[i]) + 14;
    }

    /** Lines the legend takes from {@code left} in a canvas {@code w} wide. */
    private static int legendLines(double left, double w) {
        int lines = 1;
        double x = left;
        for (int i = 0; i < LEGEND.length; i++) {
            if (x > left && x + legendWidth(i) - 14 > w) {
                lines++;
                x = left;
            }
            x += legendWidth(i);
        }
        return lines;
    }

    private void drawLegend(GraphicsContext g, Plot plot, double w) {
        double x = plot.left();
        double y = 4 + textHeight() / 2;
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.CENTER);
        for (int i = 0; i < LEGEND.length; i++) {
            double width = legendWidth(i);
            if (x > plot.left() && x + width - 14 > w) {
                x = plot.left();
                y += textHeight() + 4;
            }
            switch (i) {
                case 0 -> {
                    g.setFill(ORIGINAL);
                    g.fillRect(x, y - 4, 8, 8);
                }
                case 1, 2 -> {
                    g.setFill(i == 1 ? FRONTIER : DOMINATED);
                    g.fillOval(x, y - 4, 8, 8);
                }
                default -> {
                    g.setStroke(Color.web("#e4572e"));
                    g.setLineWidth(2);
                    g.strokeOval(x - 1, y - 5, 10, 10);
                }
            }
            g.setFill(INK);
            g.fillText(LEGEND[i], x + 13, y);
            x += width;
        }
    }
}
