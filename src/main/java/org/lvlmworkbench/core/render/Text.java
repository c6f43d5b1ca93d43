package org.lvlmworkbench.core.render;

import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.AffineTransform;

/**
 * Measuring and placing text. Anchors are fractions: {@code ax} 0 = left edge, 0.5 = centre, 1 =
 * right edge of the string; {@code ay} 0 = top of the capitals, 0.5 = their middle, 1 = the
 * baseline. Centring on capitals rather than on the font's full box is what makes tick labels sit
 * visually level with their ticks.
 */
final class Text {

    private Text() {
    }

    static final String ELLIPSIS = "\u2026";

    static double width(Graphics2D g, Font font, String s) {
        return font.getStringBounds(s, g.getFontRenderContext()).getWidth();
    }

    static double maxWidth(Graphics2D g, Font font, Iterable<String> strings) {
        double max = 0;
        for (String s : strings) {
            max = Math.max(max, width(g, font, s));
        }
        return max;
    }

    /** Height a line of text needs: ascent plus descent. */
    static int lineHeight(Graphics2D g, Font font) {
        FontMetrics fm = g.getFontMetrics(font);
        return fm.getAscent() + fm.getDescent();
    }

    static double capHeight(Graphics2D g, Font font) {
        return font.createGlyphVector(g.getFontRenderContext(), "H").getVisualBounds().getHeight();
    }

    static void draw(Graphics2D g, Font font, String s, double x, double y, double ax, double ay) {
        g.setFont(font);
        double cap = capHeight(g, font);
        float left = (float) (x - ax * width(g, font, s));
        float baseline = (float) (y + (1 - ay) * cap);
        g.drawString(s, left, baseline);
    }

    /** Draws {@code s} reading upwards (rotated 90° anticlockwise); the anchors are in the text's own frame. */
    static void drawUp(Graphics2D g, Font font, String s, double x, double y, double ax, double ay) {
        AffineTransform saved = g.getTransform();
        g.translate(x, y);
        g.rotate(-Math.PI / 2);
        draw(g, font, s, 0, 0, ax, ay);
        g.setTransform(saved);
    }

    /** {@code s}, or as much of it as fits in {@code max} pixels followed by an ellipsis. */
    static String fit(Graphics2D g, Font font, String s, double max) {
        if (width(g, font, s) <= max) {
            return s;
        }
        int lo = 0;
        int hi = s.length();
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (width(g, font, s.substring(0, mid) + ELLIPSIS) <= max) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        if (lo > 0 && Character.isHighSurrogate(s.charAt(lo - 1))) {
            lo--; // never split a character outside the BMP
        }
        return lo == 0 ? ELLIPSIS : s.substring(0, lo) + ELLIPSIS;
    }
}
