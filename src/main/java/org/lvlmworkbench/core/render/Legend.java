package org.lvlmworkbench.core.render;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Stroke;
import java.awt.geom.Line2D;
import java.util.ArrayList;
import java.util.List;

/** A vertical list of swatches and names, drawn to the right of a plot so that it never hides data. */
final class Legend {

    /** One line of the legend: a line sample (with the point glyph when {@code glyph} is set) or a lone glyph. */
    record Entry(String label, Color color, boolean line, Glyph glyph, Stroke stroke) {
    }

    private static final int SWATCH = 22;

    private Legend() {
    }

    static int rowHeight(Graphics2D g) {
        return Text.lineHeight(g, Theme.LABEL) + 3;
    }

    /** Width the legend takes, at most {@code max} (longer names are cut with an ellipsis). */
    static int width(Graphics2D g, List<Entry> entries, int max) {
        List<String> labels = new ArrayList<>();
        entries.forEach(e -> labels.add(e.label()));
        double text = Text.maxWidth(g, Theme.LABEL, labels);
        return (int) Math.ceil(Math.min(max, SWATCH + Theme.GAP + text));
    }

    /**
     * Draws from the top-left corner (x, y) within {@code width} × {@code height}; entries that do not
     * fit are summarised as "+ N more".
     */
    static void draw(Graphics2D g, List<Entry> entries, int x, int y, int width, int height) {
        int row = rowHeight(g);
        int fitting = Math.max(1, height / row);
        int shown = entries.size() <= fitting ? entries.size() : fitting - 1;
        double textMax = width - SWATCH - Theme.GAP;
        for (int i = 0; i < shown; i++) {
            Entry e = entries.get(i);
            double cy = y + i * row + row / 2.0;
            g.setColor(e.color());
            if (e.line()) {
                g.setStroke(e.stroke());
                g.draw(new Line2D.Double(x, cy, x + SWATCH, cy));
            }
            if (e.glyph() != null) {
                g.fill(e.glyph().at(x + SWATCH / 2.0, cy, e.line() ? 3 : 4));
            }
            g.setColor(Theme.TEXT);
            Text.draw(g, Theme.LABEL, Text.fit(g, Theme.LABEL, e.label(), textMax), x + SWATCH + Theme.GAP, cy, 0, 0.5);
        }
        if (shown < entries.size()) {
            g.setColor(Theme.MUTED_TEXT);
            Text.draw(g, Theme.LABEL, "+ " + (entries.size() - shown) + " more", x, y + shown * row + row / 2.0, 0, 0.5);
        }
    }
}
