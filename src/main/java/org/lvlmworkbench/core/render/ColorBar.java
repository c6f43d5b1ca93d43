package org.lvlmworkbench.core.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.geom.Line2D;
import java.util.ArrayList;
import java.util.List;

/**
 * A vertical colour bar: the map from low (bottom) to high (top), labelled with the exact minimum
 * and maximum at its ends and round values between, the quantity's name reading upwards at its
 * right and, when the data has NaN cells, a grey swatch named "NaN" below it.
 */
final class ColorBar {

    static final int BAR_WIDTH = 16;
    private static final int NAN_SWATCH = 14;
    private static final int TICK_SPACING = 45;

    /** Where the parts go inside the area the colour bar was given; {@code labelX} is where the name's capitals start. */
    record Layout(Rectangle bar, Rectangle nanSwatch, List<Double> ticks, List<String> labels, double labelX) {
    }

    private ColorBar() {
    }

    /** The width the colour bar needs next to a {@code height}-pixel-high plot. */
    static int width(Graphics2D g, ValueRange range, String label, int height, boolean nan) {
        Layout l = layout(g, new Rectangle(0, 0, 0, height), range, label, nan);
        return (int) Math.ceil(l.labelX() + (label != null ? Text.capHeight(g, Theme.LABEL) + 4 : 0));
    }

    static Layout layout(Graphics2D g, Rectangle area, ValueRange range, String label, boolean nan) {
        int barHeight = area.height - (nan ? NAN_SWATCH + 2 * Theme.GAP : 0);
        Rectangle bar = new Rectangle(area.x, area.y, BAR_WIDTH, Math.max(1, barHeight));
        Rectangle swatch = nan ? new Rectangle(area.x, area.y + area.height - NAN_SWATCH, BAR_WIDTH, NAN_SWATCH) : null;

        List<Double> ticks = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        ticks.add(range.min());
        labels.add(Ticks.value(range.min()));
        ticks.add(range.max());
        labels.add(Ticks.value(range.max()));
        double[] inner = Ticks.linear(range.min(), range.max(), Math.max(2, bar.height / TICK_SPACING));
        String[] innerLabels = Ticks.linearLabels(inner);
        double clearance = 1.5 * Text.lineHeight(g, Theme.TICK);
        for (int i = 0; i < inner.length; i++) {
            double py = y(bar, range, inner[i]);
            // Interior ticks give way to the exact end values, which are always shown.
            if (Math.abs(py - bar.y) >= clearance && Math.abs(py - bar.getMaxY()) >= clearance) {
                ticks.add(inner[i]);
                labels.add(innerLabels[i]);
            }
        }
        List<String> all = new ArrayList<>(labels);
        if (nan) {
            all.add("NaN");
        }
        double labelX = bar.getMaxX() + Theme.TICK_LENGTH + Theme.GAP + Text.maxWidth(g, Theme.TICK, all) + 2 * Theme.GAP;
        return new Layout(bar, swatch, ticks, labels, labelX);
    }

    static void draw(Graphics2D g, Rectangle area, ColorMap map, ValueRange range, String label, boolean nan) {
        Layout l = layout(g, area, range, label, nan);
        Rectangle bar = l.bar();
        // One row per pixel, exact entries at the ends: the top row is entry 255, the bottom row entry 0.
        for (int row = 0; row < bar.height; row++) {
            int entry = bar.height == 1 ? ColorMap.SIZE - 1
                    : (int) Math.round((bar.height - 1 - row) * (ColorMap.SIZE - 1) / (double) (bar.height - 1));
            g.setColor(new Color(map.entry(entry)));
            g.fillRect(bar.x, bar.y + row, bar.width, 1);
        }
        g.setColor(Theme.FRAME);
        Theme.outline(g, bar);
        for (int i = 0; i < l.ticks().size(); i++) {
            double py = XYFrame.snap(Math.min(bar.getMaxY() - 1, y(bar, range, l.ticks().get(i))));
            g.setColor(Theme.AXIS);
            g.setStroke(Theme.HAIRLINE);
            g.draw(new Line2D.Double(bar.getMaxX(), py, bar.getMaxX() + Theme.TICK_LENGTH, py));
            g.setColor(Theme.TEXT);
            Text.draw(g, Theme.TICK, l.labels().get(i), bar.getMaxX() + Theme.TICK_LENGTH + Theme.GAP, py, 0, 0.5);
        }
        if (l.nanSwatch() != null) {
            Rectangle s = l.nanSwatch();
            g.setColor(new Color(ColorMap.NAN_RGB));
            g.fill(s);
            g.setColor(Theme.FRAME);
            Theme.outline(g, s);
            g.setColor(Theme.TEXT);
            Text.draw(g, Theme.TICK, "NaN", s.getMaxX() + Theme.TICK_LENGTH + Theme.GAP, s.getCenterY(), 0, 0.5);
        }
        if (label != null) {
            g.setColor(Theme.TEXT);
            Text.drawUp(g, Theme.LABEL, Text.fit(g, Theme.LABEL, label, area.height), l.labelX(),
                    bar.getCenterY(), 0.5, 0);
        }
    }

    private static double y(Rectangle bar, ValueRange range, double v) {
        return bar.getMaxY() - (v - range.min()) / (range.max() - range.min()) * bar.height;
    }
}
