package org.lvlmworkbench.app.widgets;

import java.util.ArrayList;
import java.util.List;
import javafx.geometry.Point2D;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;

/**
 * Named series of points joined by lines, for spectra and per-layer curves: round ticks (decades on
 * a logarithmic y axis), a legend, vertical markers with labels, and a read-out of the point nearest
 * the mouse ("series · x (point label): y unit").
 */
public final class LineChartView extends CanvasWidget {

    /**
     * One curve.
     *
     * @param pointLabels a label per point for the read-out (e.g. the token at that step), or null
     */
    public record Series(String name, double[] x, double[] y, List<String> pointLabels) {

        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series '" + name + "' has " + x.length + " x values and "
                        + y.length + " y values");
            }
            if (pointLabels != null && pointLabels.size() != x.length) {
                throw new IllegalArgumentException("series '" + name + "' has " + x.length + " points and "
                        + pointLabels.size() + " point labels");
            }
            x = x.clone();
            y = y.clone();
            pointLabels = pointLabels == null ? null : List.copyOf(pointLabels);
        }

        public Series(String name, double[] x, double[] y) {
            this(name, x, y, null);
        }
    }

    /** A vertical line at {@code x} with a label at its top. */
    public record Marker(double x, String label) {
    }

    private static final Color[] PALETTE = {Color.web("#3b6fd8"), Color.web("#e4572e"), Color.web("#2a9d8f"),
        Color.web("#9b5de5"), Color.web("#f4a261"), Color.web("#6b7385"), Color.web("#c0392b"), Color.web("#17becf")};
    private static final Color GRID = Color.web("#e6e9f0");
    private static final double HOVER_RADIUS = 40;

    /** The plot rectangle and the data ranges it shows. */
    private record Plot(double left, double top, double width, double height, double xMin, double xMax,
            double yMin, double yMax, boolean logY, boolean integerX) {

        double sx(double x) {
            return left + (xMax == xMin ? 0.5 : (x - xMin) / (xMax - xMin)) * width;
        }

        double sy(double y) {
            double f = logY ? (Math.log10(y) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))
                    : (y - yMin) / (yMax - yMin);
            return top + (1 - f) * height;
        }
    }

    private List<Series> series = List.of();
    private List<Marker> markers = List.of();
    private boolean logY;
    private String xLabel = "";
    private String yLabel = "";
    private String yUnit = "";
    private String placeholder = "no data";
    private Plot plot;
    private int[] hovered;

    public LineChartView() {
        super("line-chart-view", "chart.png");
    }

    public void setSeries(List<Series> series) {
        this.series = List.copyOf(series);
        hovered = null;
        redraw();
    }

    public void setMarkers(List<Marker> markers) {
        this.markers = List.copyOf(markers);
        redraw();
    }

    /** A logarithmic y axis; points with y ≤ 0 are then left out. */
    public void setLogY(boolean logY) {
        this.logY = logY;
        redraw();
    }

    public void setAxisLabels(String x, String y) {
        this.xLabel = x == null ? "" : x;
        this.yLabel = y == null ? "" : y;
        redraw();
    }

    /** The unit of y values in the read-out ("ms", "%"). */
    public void setYUnit(String unit) {
        this.yUnit = unit == null ? "" : unit;
    }

    /** What an empty chart says ("no data" by default). */
    public void setPlaceholder(String text) {
        this.placeholder = text;
        redraw();
    }

    /** Where point {@code index} of series {@code series} was last drawn, in canvas coordinates; null if it was not. */
    public Point2D pointAt(int series, int index) {
        Series s = this.series.get(series);
        if (plot == null || !drawable(s.x()[index], s.y()[index])) {
            return null;
        }
        return new Point2D(plot.sx(s.x()[index]), plot.sy(s.y()[index]));
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
        drawMarkers(g);
        g.save();
        g.beginPath();
        // Room for a whole dot on the first and last x, not only above and below.
        g.rect(plot.left() - 4, plot.top() - 4, plot.width() + 8, plot.height() + 8);
        g.clip();
        for (int s = 0; s < series.size(); s++) {
            drawSeries(g, series.get(s), PALETTE[s % PALETTE.length]);
        }
        if (hovered != null) {
            Series s = series.get(hovered[0]);
            double px = plot.sx(s.x()[hovered[1]]);
            double py = plot.sy(s.y()[hovered[1]]);
            g.setStroke(INK);
            g.setLineWidth(1.5);
            g.strokeOval(px - 5, py - 5, 10, 10);
        }
        g.restore();
        drawLegend(g, w);
    }

    @Override
    protected String describe(double x, double y) {
        int[] p = nearest(x, y);
        if (p == null) {
            return "";
        }
        Series s = series.get(p[0]);
        String label = s.pointLabels() == null ? "" : " (" + s.pointLabels().get(p[1]) + ")";
        return s.name() + " · " + Numbers.compact(s.x()[p[1]]) + label + ": "
                + Numbers.withUnit(Numbers::compact, s.y()[p[1]], yUnit);
    }

    @Override
    protected void hovered(double x, double y) {
        int[] p = Double.isNaN(x) ? null : nearest(x, y);
        boolean same = p == null ? hovered == null : hovered != null && p[0] == hovered[0] && p[1] == hovered[1];
        if (!same) {
            hovered = p;
            redraw();
        }
    }

    /** {@code {series, point}} of the drawn point nearest {@code (x, y)} within {@link #HOVER_RADIUS}, or null. */
    private int[] nearest(double x, double y) {
        if (plot == null) {
            return null;
        }
        int[] best = null;
        double bestDistance = HOVER_RADIUS * HOVER_RADIUS;
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            for (int i = 0; i < ser.x().length; i++) {
                if (!drawable(ser.x()[i], ser.y()[i])) {
                    continue;
                }
                double dx = plot.sx(ser.x()[i]) - x;
                double dy = plot.sy(ser.y()[i]) - y;
                if (dx * dx + dy * dy < bestDistance) {
                    bestDistance = dx * dx + dy * dy;
                    best = new int[] {s, i};
                }
            }
        }
        return best;
    }

    private boolean drawable(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
    }

    private Plot layout(double w, double h) {
        double xMin = Double.POSITIVE_INFINITY;
        double xMax = Double.NEGATIVE_INFINITY;
        double yMin = Double.POSITIVE_INFINITY;
        double yMax = Double.NEGATIVE_INFINITY;
        boolean integerX = true;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (drawable(s.x()[i], s.y()[i])) {
                    xMin = Math.min(xMin, s.x()[i]);
                    xMax = Math.max(xMax, s.x()[i]);
                    yMin = Math.min(yMin, s.y()[i]);
                    yMax = Math.max(yMax, s.y()[i]);
                    integerX &= s.x()[i] == Math.rint(s.x()[i]);
                }
            }
        }
        if (xMin > xMax) {
            return null;
        }
        if (xMin == xMax) {
            xMin -= 1;
            xMax += 1;
        }
        if (logY) {
            yMin = Math.pow(10, Math.floor(Math.log10(yMin)));
            yMax = Math.pow(10, Math.ceil(Math.log10(yMax)));
            if (yMin == yMax) {
                yMax = yMin * 10;
            }
        } else {
            if (yMin == yMax) {
                yMin -= Math.max(1, Math.abs(yMin) * 0.1);
                yMax += Math.max(1, Math.abs(yMax) * 0.1);
            }
            double step = AxisTicks.step(yMin, yMax, 5);
            yMin = Math.floor(yMin / step) * step;
            yMax = Math.ceil(yMax / step) * step;
        }
        double fh = textHeight();
        double tickWidth = 0;
        Plot probe = new Plot(0, 0, 1, 1, xMin, xMax, yMin, yMax, logY, integerX);
        for (double t : yTicks(probe, h)) {
            tickWidth = Math.max(tickWidth, textWidth(yTickLabel(probe, h, t)));
        }
        double left = 8 + (yLabel.isEmpty() ? 0 : fh + 6) + tickWidth + 6;
        // The legend wraps onto as many lines as the names need; the plot starts below it.
        double top = fh + 14 + (legendLines(left, w) - 1) * (fh + 4);
        double bottom = fh + 10 + (xLabel.isEmpty() ? 0 : fh + 4);
        double width = w - left - 14;
        double height = h - top - bottom;
        if (width < 20 || height < 20) {
            return null;
        }
        if (integerX && xMax - xMin < 4) {
            xMin -= 0.5;
            xMax += 0.5;
        }
        return new Plot(left, top, width, height, xMin, xMax, yMin, yMax, logY, integerX);
    }

    private double[] yTicks(Plot p, double h) {
        return p.logY() ? AxisTicks.decades(p.yMin(), p.yMax(), 8)
                : AxisTicks.linear(p.yMin(), p.yMax(), (int) Math.max(2, Math.min(8, h / 45)));
    }

    private String yTickLabel(Plot p, double h, double t) {
        return p.logY() ? Numbers.compact(t) : Numbers.tick(t, AxisTicks.step(p.yMin(), p.yMax(),
                (int) Math.max(2, Math.min(8, h / 45))));
    }

    private void drawAxes(GraphicsContext g) {
        double h = plot.height() + plot.top() * 2;
        g.setLineWidth(1);
        g.setTextBaseline(VPos.CENTER);
        g.setTextAlign(TextAlignment.RIGHT);
        for (double t : yTicks(plot, h)) {
            double y = Math.round(plot.sy(t)) + 0.5;
            g.setStroke(GRID);
            g.strokeLine(plot.left(), y, plot.left() + plot.width(), y);
            g.setFill(INK);
            g.fillText(yTickLabel(plot, h, t), plot.left() - 6, y);
        }
        double xStep = AxisTicks.step(plot.xMin(), plot.xMax(), (int) Math.max(2, Math.min(10, plot.width() / 70)));
        if (plot.integerX()) {
            xStep = Math.max(1, xStep);
        }
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.TOP);
        double bottom = plot.top() + plot.height();
        for (double t : AxisTicks.multiples(plot.xMin(), plot.xMax(), xStep)) {
            double x = Math.round(plot.sx(t)) + 0.5;
            g.setStroke(GRID);
            g.strokeLine(x, plot.top(), x, bottom);
            g.setFill(INK);
            g.fillText(Numbers.tick(t, xStep), x, bottom + 4);
        }
        g.setStroke(MUTED);
        g.strokeLine(plot.left() + 0.5, plot.top(), plot.left() + 0.5, bottom);
        g.strokeLine(plot.left(), bottom + 0.5, plot.left() + plot.width(), bottom + 0.5);
        g.setFill(MUTED);
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

    private void drawMarkers(GraphicsContext g) {
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.TOP);
        // Right edge of the last label on each text line: a label that would overlap goes a line lower.
        List<Double> lineEnds = new ArrayList<>();
        for (Marker m : markers) {
            if (m.x() < plot.xMin() || m.x() > plot.xMax()) {
                continue;
            }
            double x = Math.round(plot.sx(m.x())) + 0.5;
            g.setStroke(MUTED);
            g.setLineWidth(1);
            g.setLineDashes(4, 3);
            g.strokeLine(x, plot.top(), x, plot.top() + plot.height());
            g.setLineDashes();
            g.setFill(MUTED);
            int line = 0;
            while (line < lineEnds.size() && lineEnds.get(line) > x) {
                line++;
            }
            double end = x + 3 + textWidth(m.label()) + 4;
            if (line == lineEnds.size()) {
                lineEnds.add(end);
            } else {
                lineEnds.set(line, end);
            }
            g.fillText(m.label(), x + 3, plot.top() + 2 + line * (textHeight() + 2));
        }
    }

    private void drawSeries(GraphicsContext g, Series s, Color color) {
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < s.x().length; i++) {
            if (drawable(s.x()[i], s.y()[i])) {
                points.add(new double[] {plot.sx(s.x()[i]), plot.sy(s.y()[i])});
            }
        }
        g.setStroke(color);
        g.setLineWidth(2);
        g.beginPath();
        for (int i = 0; i < points.size(); i++) {
            if (i == 0) {
                g.moveTo(points.get(i)[0], points.get(i)[1]);
            } else {
                g.lineTo(points.get(i)[0], points.get(i)[1]);
            }
        }
        g.stroke();
        if (points.size() <= plot.width() / 8) {
            g.setFill(color);
            for (double[] p : points) {
                g.fillOval(p[0] - 3, p[1] - 3, 6, 6);
            }
        }
    }

    private void drawLegend(GraphicsContext g, double w) {
        double x = plot.left();
        double y = 4 + textHeight() / 2;
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.CENTER);
        for (int s = 0; s < series.size(); s++) {
            String name = series.get(s).name();
            double entry = legendEntryWidth(name);
            if (x > plot.left() && x + entry - 16 > w) {
                x = plot.left();
                y += textHeight() + 4;
            }
            g.setFill(PALETTE[s % PALETTE.length]);
            g.fillRect(x, y - 2, 14, 4);
            g.setFill(INK);
            g.fillText(name, x + 18, y);
            x += entry;
        }
    }

    /** Lines the legend takes when it starts at {@code left} in a canvas {@code w} wide (at least 1). */
    private int legendLines(double left, double w) {
        int lines = 1;
        double x = left;
        for (Series s : series) {
            double entry = legendEntryWidth(s.name());
            if (x > left && x + entry - 16 > w) {
                lines++;
                x = left;
            }
            x += entry;
        }
        return lines;
    }

    private static double legendEntryWidth(String name) {
        return 18 + textWidth(name) + 16;
    }
}
