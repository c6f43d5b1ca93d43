package org.lvlmworkbench.app.widgets;

import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.text.TextAlignment;
import org.lvlmworkbench.core.render.ValueRange;

/** The vertical colour bar beside a heatmap or overlay: the map from its range's min (bottom) to max (top), ticks and a caption. */
final class ColorBar {

    private static final double BAR = 12;
    private static final double GAP = 5;

    private ColorBar() {
    }

    /** "label (unit)", "label", "unit" or "". */
    static String caption(String label, String unit) {
        if (label.isEmpty()) {
            return unit;
        }
        return unit.isEmpty() ? label : label + " (" + unit + ")";
    }

    /** The width {@link #draw} uses for a bar of {@code height}. */
    static double width(ValueRange range, double height, String caption) {
        double labels = 0;
        for (double t : ticks(range, height)) {
            labels = Math.max(labels, CanvasWidget.textWidth(label(t, range, height)));
        }
        return BAR + GAP + labels + (caption.isEmpty() ? 0 : GAP + CanvasWidget.textHeight());
    }

    static void draw(GraphicsContext g, ColorMap map, ValueRange range, double x, double y, double height,
            String caption) {
        for (int i = 0; i < (int) height; i++) {
            g.setFill(map.color(1 - i / Math.max(1, height - 1), 1));
            g.fillRect(x, y + i, BAR, 1);
        }
        g.setStroke(CanvasWidget.MUTED);
        g.setLineWidth(1);
        g.strokeRect(x + 0.5, y + 0.5, BAR - 1, Math.max(0, height - 1));
        g.setFill(CanvasWidget.INK);
        g.setTextAlign(TextAlignment.LEFT);
        g.setTextBaseline(VPos.CENTER);
        double labels = 0;
        for (double t : ticks(range, height)) {
            double ty = y + (1 - range.fraction(t)) * (height - 1);
            g.strokeLine(x + BAR, ty, x + BAR + 3, ty);
            String text = label(t, range, height);
            g.fillText(text, x + BAR + GAP, ty);
            labels = Math.max(labels, CanvasWidget.textWidth(text));
        }
        if (!caption.isEmpty()) {
            g.save();
            g.translate(x + BAR + GAP + labels + GAP + CanvasWidget.textHeight() / 2, y + height / 2);
            g.rotate(90);
            g.setTextAlign(TextAlignment.CENTER);
            g.setFill(CanvasWidget.MUTED);
            g.fillText(caption, 0, 0, height);
            g.restore();
        }
    }

    private static double[] ticks(ValueRange range, double height) {
        return AxisTicks.linear(range.min(), range.max(), tickCount(height));
    }

    private static String label(double t, ValueRange range, double height) {
        double step = AxisTicks.step(range.min(), range.max(), tickCount(height));
        return step == 0 ? Numbers.compact(t) : Numbers.tick(t, step);
    }

    private static int tickCount(double height) {
        return (int) Math.max(2, Math.min(8, height / 40));
    }
}
