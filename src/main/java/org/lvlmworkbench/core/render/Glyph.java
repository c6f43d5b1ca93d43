package org.lvlmworkbench.core.render;

import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;

/** Point markers; categories beyond the ten palette colours change shape so that they stay distinct. */
enum Glyph {
    CIRCLE, SQUARE, TRIANGLE, DIAMOND;

    static Glyph forIndex(int i) {
        Glyph[] all = values();
        return all[(i / Theme.SERIES.length) % all.length];
    }

    /** The marker centred at (x, y), about {@code 2r} across. */
    Shape at(double x, double y, double r) {
        switch (this) {
            case SQUARE:
                return new Rectangle2D.Double(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
            case TRIANGLE: {
                Path2D.Double p = new Path2D.Double();
                p.moveTo(x, y - r * 1.15);
                p.lineTo(x + r * 1.1, y + r * 0.85);
                p.lineTo(x - r * 1.1, y + r * 0.85);
                p.closePath();
                return p;
            }
            case DIAMOND: {
                Path2D.Double p = new Path2D.Double();
                p.moveTo(x, y - r * 1.2);
                p.lineTo(x + r * 1.2, y);
                p.lineTo(x, y + r * 1.2);
                p.lineTo(x - r * 1.2, y);
                p.closePath();
                return p;
            }
            default:
                return new Ellipse2D.Double(x - r, y - r, 2 * r, 2 * r);
        }
    }
}
