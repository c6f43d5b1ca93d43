package org.lvlmworkbench.core.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Points coloured by category (e.g. a 2-D projection of hidden states, one colour per token
 * kind), with a legend when there is more than one category. Categories are numbered in order of
 * first appearance; past the tenth colour the marker shape changes. Points with a NaN or infinite
 * coordinate are left out. Build with {@link #builder()}.
 */
public final class ScatterChart implements Chart {

    /** From this many drawable points on, points are smaller, translucent and rimless, so that density shows. */
    private static final int DENSE = 500;

    private final ChartTitles titles;
    private final double[] x;
    private final double[] y;
    private final List<String> categories;

    private ScatterChart(Builder b) {
        this.titles = b.titles();
        this.x = b.x;
        this.y = b.y;
        this.categories = b.categories;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The chart as a {@code width} × {@code height} RGB image (at least 240 × 160). */
    public BufferedImage render(int width, int height) {
        return Theme.png("ScatterChart", width, height, XYFrame.MIN_WIDTH, XYFrame.MIN_HEIGHT, g -> draw(g, width, height));
    }

    /** The same chart as an SVG document of {@code width} × {@code height} user units. */
    public String svg(int width, int height) {
        return Theme.svg("ScatterChart", width, height, XYFrame.MIN_WIDTH, XYFrame.MIN_HEIGHT, g -> draw(g, width, height));
    }

    private void draw(Graphics2D g, int width, int height) {
        Map<String, Integer> order = new LinkedHashMap<>();
        for (String c : categories) {
            order.putIfAbsent(c, order.size());
        }
        double xlo = Double.POSITIVE_INFINITY;
        double xhi = Double.NEGATIVE_INFINITY;
        double ylo = Double.POSITIVE_INFINITY;
        double yhi = Double.NEGATIVE_INFINITY;
        int drawable = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                xlo = Math.min(xlo, x[i]);
                xhi = Math.max(xhi, x[i]);
                ylo = Math.min(ylo, y[i]);
                yhi = Math.max(yhi, y[i]);
                drawable++;
            }
        }
        List<Legend.Entry> legend = new ArrayList<>();
        for (Map.Entry<String, Integer> e : order.entrySet()) {
            legend.add(new Legend.Entry(e.getKey(), Theme.series(e.getValue()), false, Glyph.forIndex(e.getValue()), null));
        }
        XYFrame frame = XYFrame.layout(g, width, height, titles, Scale.fit(xlo, xhi, false, 0.05),
                Scale.fit(ylo, yhi, false, 0.05), legend);
        frame.drawBackground(g);
        g.setClip(frame.plot());
        double radius = drawable > DENSE ? 2.5 : 3.5;
        int alpha = drawable > DENSE ? 150 : 220;
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i]) || !Double.isFinite(y[i])) {
                continue;
            }
            int k = order.get(categories.get(i));
            Color c = Theme.series(k);
            Shape mark = Glyph.forIndex(k).at(frame.px(x[i]), frame.py(y[i]), radius);
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), alpha));
            g.fill(mark);
            if (drawable <= DENSE) {
                // A thin white rim keeps overlapping points apart.
                g.setColor(new Color(255, 255, 255, 200));
                g.setStroke(Theme.HAIRLINE);
                g.draw(mark);
            }
        }
        g.setClip(null);
        if (drawable == 0) {
            frame.drawEmptyNote(g, "no finite points to plot");
        }
        frame.drawAxes(g);
    }

    /** Collects the options; {@link #points} is required. */
    public static final class Builder extends XYChartBuilder<Builder> {

        private double[] x;
        private double[] y;
        private List<String> categories;

        private Builder() {
        }

        /**
         * Point {@code i} is at ({@code x[i]}, {@code y[i]}) in category {@code categories.get(i)};
         * {@code categories} may be null for a single unnamed category (then no legend).
         */
        public Builder points(double[] x, double[] y, List<String> categories) {
            if (x == null || y == null || x.length != y.length) {
                throw new IllegalArgumentException("ScatterChart points: x and y must have the same length, got "
                        + (x == null ? "null" : x.length) + " and " + (y == null ? "null" : y.length));
            }
            if (categories != null && categories.size() != x.length) {
                throw new IllegalArgumentException("ScatterChart categories: " + categories.size() + " labels for "
                        + x.length + " points");
            }
            List<String> labels = new ArrayList<>(x.length);
            for (int i = 0; i < x.length; i++) {
                String c = categories == null ? "" : categories.get(i);
                if (c == null) {
                    throw new IllegalArgumentException("ScatterChart categories: label of point " + i + " is null");
                }
                labels.add(c);
            }
            this.x = x.clone();
            this.y = y.clone();
            this.categories = List.copyOf(labels);
            return this;
        }

        public ScatterChart build() {
            if (x == null) {
                throw new IllegalArgumentException("ScatterChart: points(x, y, categories) was not given");
            }
            return new ScatterChart(this);
        }
    }
}
