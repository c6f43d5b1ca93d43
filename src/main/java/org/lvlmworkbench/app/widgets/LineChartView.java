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
public final class LineChartView extends XYPlotWidget<LineChartView.Plot> {

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
    /** Points are read out from this far away: lines are thin, and their points sparse. */
    private static final double HOVER_RADIUS = 40;

    /** The plot rectangle and the data ranges it shows. */
    record Plot(double left, double top, double width, double height, double xMin, double xMax,
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
    private String yUnit = "";

    public LineChartView() {
        super("line-chart-view", "chart.png", HOVER_RADIUS);
    }

    public void setSeries(List<Series> series) {
        this.series = List.copyOf(series);
        clearHoveredItem();
        redraw();
    }

    /** Vertical lines with labels; only the overlay is redrawn, so a marker can follow a slider cheaply. */
    public void setMarkers(List<Marker> markers) {
        this.markers = List.copyOf(markers);
        redrawOverlay();
    }

    /** A logarithmic y axis; points with y ≤ 0 are then left out. */
    public void setLogY(boolean logY) {
        this.logY = logY;
        redraw();
    }

    /** The unit of y values in the read-out ("ms", "%"). */
    public void setYUnit(String unit) {
        this.yUnit = unit == null ? "" : unit;
    }

    /** Where point {@code index} of series {@code series} was last drawn, in canvas coordinates; null if it was not. */
    public Point2D pointAt(int series, int index) {
        Series s = this.series.get(series);
        Plot plot = plot();
        if (plot == null || !drawable(s.x()[index], s.y()[index])) {
            return null;
        }
        return new Point2D(plot.sx(s.x()[index]), plot.sy(s.y()[index]));
    }

    @Override
    protected void drawPlot(GraphicsContext g, Plot plot, double w) {
        drawAxes(g, plot);
        g.save();
        g.beginPath();
        // Room for a whole dot on the first and last x, not only above and below.
        g.rect(plot.left() - 4, plot.top() - 4, plot.width() + 8, plot.height() + 8);
        g.clip();
        for (int s = 0; s < series.size(); s++) {
            drawSeries(g, plot, series.get(s), PALETTE[s % PALETTE.length]);
        }
        int[] hovered = hoveredItem();
        if (hovered != null) {
            Series s = series.get(hovered[0]);
            double px = plot.sx(s.x()[hovered[1]]);
            double py = plot.sy(s.y()[hovered[1]]);
            g.setStroke(INK);
            g.setLineWidth(1.5);
            g.strokeOval(px - 5, py - 5, 10, 10);
        }
        g.restore();
        drawLegend(g, plot, w);
    }

    @Override
    protected String describe(int[] p) {
        Series s = series.get(p[0]);
        String label = s.pointLabels() == null ? "" : " (" + s.pointLabels().get(p[1]) + ")";
        return s.name() + " · " + Numbers.compact(s.x()[p[1]]) + label + ": "
                + Numbers.withUnit(Numbers::compact, s.y()[p[1]], yUnit);
    }

    @Override
    protected void offerDrawnPoints(Plot plot, NearestPoint nearest) {
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            for (int i = 0; i < ser.x().length; i++) {
                if (drawable(ser.x()[i], ser.y()[i])) {
                    nearest.offer(plot.sx(ser.x()[i]), plot.sy(ser.y()[i]), s, i);
                }
            }
        }
    }

    private boolean drawable(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y) && (!logY || y > 0);
    }

    @Override
    protected Plot plotLayout(double w, double h) {
        DataExtent data = new DataExtent();
        boolean integerX = true;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (drawable(s.x()[i], s.y()[i])) {
                    data.include(s.x()[i], s.y()[i]);
                    integerX &= s.x()[i] == Math.rint(s.x()[i]);
                }
            }
        }
        if (data.isEmpty()) {
            return null;
        }
        // Widened below to round ticks, a decade or room for a lone value.
        double xMin = data.xMin;
        double xMax = data.xMax;
        double yMin = data.yMin;
        double yMax = data.yMax;
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
        double left = leftMargin(tickWidth);
        // The legend wraps onto as many lines as the names need; the plot starts below it.
        double top = fh + 14 + (legendLines(left, w) - 1) * (fh + 4);
        double bottom = bottomMargin();
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

    private void drawAxes(GraphicsContext g, Plot plot) {
        double h = plot.height() + plot.top() * 2;
        g.setLineWidth(1);
        drawYTicks(g, yTicks(plot, h), t -> yTickLabel(plot, h, t), plot::sy, plot.left(), plot.left() + plot.width());
        double xStep = AxisTicks.step(plot.xMin(), plot.xMax(), (int) Math.max(2, Math.min(10, plot.width() / 70)));
        double step = plot.integerX() ? Math.max(1, xStep) : xStep;
        double bottom = plot.top() + plot.height();
        drawXTicks(g, AxisTicks.multiples(plot.xMin(), plot.xMax(), step), t -> Numbers.tick(t, step), plot::sx,
                plot.top(), bottom);
        g.setStroke(MUTED);
        g.strokeLine(plot.left() + 0.5, plot.top(), plot.left() + 0.5, bottom);
        g.strokeLine(plot.left(), bottom + 0.5, plot.left() + plot.width(), bottom + 0.5);
        drawAxisTitles(g, plot.left(), plot.top(), plot.width(), plot.height());
    }

    /** The markers, over the plot as last laid out. */
    @Override
    protected void drawOverlay(GraphicsContext g, double w, double h) {
        Plot plot = plot();
        if (plot != null) {
            drawMarkers(g, plot);
        }
    }

    private void drawMarkers(GraphicsContext g, Plot plot) {
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

    private void drawSeries(GraphicsContext g, Plot plot, Series s, Color color) {
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

    private void drawLegend(GraphicsContext g, Plot plot, double w) {
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
