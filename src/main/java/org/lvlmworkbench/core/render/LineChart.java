package org.lvlmworkbench.core.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.Stroke;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * Named series of (x, y) points joined by lines, e.g. a measure per layer for several models; the
 * y axis may be logarithmic. Optional vertical markers with labels ("critical layer 9") and
 * horizontal reference lines. A NaN, infinite or (on a log axis) non-positive point leaves a gap.
 * Series past the tenth colour are dashed. Build with {@link #builder()}.
 */
public final class LineChart implements Chart {

    /** One line: {@code x[i]} pairs with {@code y[i]}. */
    public record Series(String name, double[] x, double[] y) {

        public Series {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("LineChart series: a name is required");
            }
            if (x == null || y == null || x.length != y.length) {
                throw new IllegalArgumentException("LineChart series '" + name + "': x and y must have the same length, got "
                        + (x == null ? "null" : x.length) + " and " + (y == null ? "null" : y.length));
            }
            x = x.clone();
            y = y.clone();
        }
    }

    /** A vertical line at {@code x} with a label at the top of the plot. */
    public record Marker(double x, String label) {

        public Marker {
            if (!Double.isFinite(x)) {
                throw new IllegalArgumentException("LineChart marker '" + label + "': x must be finite, got " + x);
            }
        }
    }

    /** A horizontal line at {@code y} with a label at its right end ({@code label} may be null). */
    public record ReferenceLine(double y, String label) {

        public ReferenceLine {
            if (!Double.isFinite(y)) {
                throw new IllegalArgumentException("LineChart reference line '" + label + "': y must be finite, got " + y);
            }
        }
    }

    /** Series with at most this many points also show a dot at each point. */
    private static final int MAX_POINTS_WITH_DOTS = 60;
    private static final Stroke SOLID = new BasicStroke(1.8f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND);
    private static final Stroke DASHED = new BasicStroke(1.8f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {7f, 4f}, 0f);

    private final ChartTitles titles;
    private final boolean logY;
    private final List<Series> series;
    private final List<Marker> markers;
    private final List<ReferenceLine> references;

    private LineChart(Builder b) {
        this.titles = b.titles();
        this.logY = b.logY;
        this.series = List.copyOf(b.series);
        this.markers = List.copyOf(b.markers);
        this.references = List.copyOf(b.references);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The chart as a {@code width} × {@code height} RGB image (at least 240 × 160). */
    public BufferedImage render(int width, int height) {
        return Theme.png("LineChart", width, height, XYFrame.MIN_WIDTH, XYFrame.MIN_HEIGHT, g -> draw(g, width, height));
    }

    /** The same chart as an SVG document of {@code width} × {@code height} user units. */
    public String svg(int width, int height) {
        return Theme.svg("LineChart", width, height, XYFrame.MIN_WIDTH, XYFrame.MIN_HEIGHT, g -> draw(g, width, height));
    }

    private void draw(Graphics2D g, int width, int height) {
        Scale probe = new Scale(1, 10, logY);
        double xlo = Double.POSITIVE_INFINITY;
        double xhi = Double.NEGATIVE_INFINITY;
        double ylo = Double.POSITIVE_INFINITY;
        double yhi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && probe.accepts(s.y()[i])) {
                    xlo = Math.min(xlo, s.x()[i]);
                    xhi = Math.max(xhi, s.x()[i]);
                    ylo = Math.min(ylo, s.y()[i]);
                    yhi = Math.max(yhi, s.y()[i]);
                }
            }
        }
        boolean anyData = xlo <= xhi;
        for (Marker m : markers) {
            xlo = Math.min(xlo, m.x());
            xhi = Math.max(xhi, m.x());
        }
        for (ReferenceLine r : references) {
            if (probe.accepts(r.y())) {
                ylo = Math.min(ylo, r.y());
                yhi = Math.max(yhi, r.y());
            }
        }
        Scale xs = Scale.fit(xlo, xhi, false, 0.02);
        Scale ys = Scale.fit(ylo, yhi, logY, 0.06);

        List<Legend.Entry> legend = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            legend.add(new Legend.Entry(series.get(i).name(), Theme.series(i), true, dots(series.get(i)) ? Glyph.CIRCLE : null,
                    stroke(i)));
        }
        XYFrame frame = XYFrame.layout(g, width, height, titles, xs, ys, legend);
        frame.drawBackground(g);
        g.setClip(frame.plot());
        for (ReferenceLine r : references) {
            drawReference(g, frame, ys, r);
        }
        for (int i = 0; i < series.size(); i++) {
            drawSeries(g, frame, ys, series.get(i), Theme.series(i), stroke(i));
        }
        drawMarkers(g, frame);
        g.setClip(null);
        if (!anyData) {
            frame.drawEmptyNote(g, "no finite values to plot");
        }
        frame.drawAxes(g);
    }

    private static Stroke stroke(int i) {
        return i < Theme.SERIES.length ? SOLID : DASHED;
    }

    private static boolean dots(Series s) {
        return s.x().length <= MAX_POINTS_WITH_DOTS;
    }

    private static void drawSeries(Graphics2D g, XYFrame frame, Scale ys, Series s, Color colour, Stroke stroke) {
        Path2D.Double path = new Path2D.Double();
        boolean penDown = false;
        for (int i = 0; i < s.x().length; i++) {
            double x = s.x()[i];
            double y = s.y()[i];
            if (!Double.isFinite(x) || !ys.accepts(y)) {
                penDown = false;
                continue;
            }
            if (penDown) {
                path.lineTo(frame.px(x), frame.py(y));
            } else {
                path.moveTo(frame.px(x), frame.py(y));
                penDown = true;
            }
        }
        g.setColor(colour);
        g.setStroke(stroke);
        g.draw(path);
        if (dots(s)) {
            for (int i = 0; i < s.x().length; i++) {
                if (Double.isFinite(s.x()[i]) && ys.accepts(s.y()[i])) {
                    g.fill(Glyph.CIRCLE.at(frame.px(s.x()[i]), frame.py(s.y()[i]), 2.6));
                }
            }
        }
    }

    private static void drawReference(Graphics2D g, XYFrame frame, Scale ys, ReferenceLine r) {
        if (!ys.accepts(r.y())) {
            return;
        }
        Rectangle plot = frame.plot();
        double y = XYFrame.snap(frame.py(r.y()));
        g.setColor(Theme.FRAME);
        g.setStroke(Theme.DASHED);
        g.draw(new Line2D.Double(plot.x, y, plot.getMaxX(), y));
        if (r.label() != null && !r.label().isBlank()) {
            String label = Text.fit(g, Theme.TICK, r.label(), plot.width - 2 * Theme.GAP);
            double right = plot.getMaxX() - Theme.GAP;
            // Above the line when there is room below the top, else below it.
            boolean above = y - plot.y > Text.lineHeight(g, Theme.TICK) + Theme.GAP;
            double anchorY = above ? y - Theme.GAP : y + Theme.GAP;
            drawBoxedLabel(g, label, right, anchorY, 1, above ? 1 : 0, Theme.MUTED_TEXT);
        }
    }

    /**
     * Dashed vertical lines; their labels sit along the top of the plot to the right of the line (to
     * the left where the right edge is near), stacked into further rows where they would overlap.
     */
    private void drawMarkers(Graphics2D g, XYFrame frame) {
        Rectangle plot = frame.plot();
        int row = Text.lineHeight(g, Theme.TICK) + 3;
        double cap = Text.capHeight(g, Theme.TICK);
        List<Rectangle2D> placed = new ArrayList<>();
        List<Marker> sorted = new ArrayList<>(markers);
        sorted.sort((a, b) -> Double.compare(a.x(), b.x()));
        for (Marker m : sorted) {
            double x = XYFrame.snap(frame.px(m.x()));
            g.setColor(Theme.MARKER);
            g.setStroke(Theme.DASHED);
            g.draw(new Line2D.Double(x, plot.y, x, plot.getMaxY()));
            if (m.label() == null || m.label().isBlank()) {
                continue;
            }
            String label = Text.fit(g, Theme.TICK, m.label(), Math.min(plot.width / 2.0, plot.width - 4.0));
            double w = Text.width(g, Theme.TICK, label);
            boolean toLeft = x + Theme.GAP + w > plot.getMaxX() - 2;
            // Near both edges of a narrow plot neither side has room: keep the label inside the plot.
            double left = Math.max(plot.x + 2, toLeft ? x - Theme.GAP - w : x + Theme.GAP);
            Rectangle2D box = null;
            for (int r = 0; r < 20; r++) {
                Rectangle2D candidate = new Rectangle2D.Double(left - 2, plot.y + 3 + r * row, w + 4, row);
                if (placed.stream().noneMatch(candidate::intersects)) {
                    box = candidate;
                    break;
                }
            }
            if (box == null) {
                continue;
            }
            placed.add(box);
            double top = box.getY() + (row - cap) / 2;
            drawBoxedLabel(g, label, left, top, 0, 0, Theme.TEXT);
        }
    }

    /** Text on a translucent white box, readable over lines and grid. */
    private static void drawBoxedLabel(Graphics2D g, String label, double x, double y, double ax, double ay, Color colour) {
        double w = Text.width(g, Theme.TICK, label);
        double cap = Text.capHeight(g, Theme.TICK);
        double left = x - ax * w;
        double capTop = y - ay * cap;
        g.setColor(new Color(255, 255, 255, 215));
        g.fill(new Rectangle2D.Double(left - 2, capTop - 3, w + 4, cap + 7));
        g.setColor(colour);
        Text.draw(g, Theme.TICK, label, left, capTop, 0, 0);
    }

    /** Collects the options; only series are required (a chart without any draws empty axes). */
    public static final class Builder extends XYChartBuilder<Builder> {

        private boolean logY;
        private final List<Series> series = new ArrayList<>();
        private final List<Marker> markers = new ArrayList<>();
        private final List<ReferenceLine> references = new ArrayList<>();

        private Builder() {
        }

        public Builder logY(boolean logY) {
            this.logY = logY;
            return this;
        }

        public Builder series(String name, double[] x, double[] y) {
            series.add(new Series(name, x, y));
            return this;
        }

        public Builder marker(double x, String label) {
            markers.add(new Marker(x, label));
            return this;
        }

        public Builder referenceLine(double y, String label) {
            references.add(new ReferenceLine(y, label));
            return this;
        }

        public LineChart build() {
            return new LineChart(this);
        }
    }
}
