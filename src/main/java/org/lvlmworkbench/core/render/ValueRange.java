package org.lvlmworkbench.core.render;

/**
 * A closed range of values that a colour map spans: {@code min} gets the low end, {@code max} the high
 * end. The PNG charts and the workbench's widgets both use it, so the window and a rendered file
 * colour the same values alike.
 */
public record ValueRange(double min, double max) {

    public ValueRange {
        if (!Double.isFinite(min) || !Double.isFinite(max) || !(min < max)) {
            throw new IllegalArgumentException("colour range [" + min + ", " + max + "]: needs finite min < max");
        }
    }

    /**
     * The range of the finite values in {@code values} (any shape: rows of any length), or [0, 1] when
     * there are none. A single repeated value is widened so that it lands in the middle of the map;
     * with {@code centredOnZero} the range is {@code [-m, m]} for the largest magnitude {@code m}, so a
     * diverging map's middle means zero.
     */
    public static ValueRange ofData(double[][] values, boolean centredOnZero) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new ValueRange(0, 1);
        }
        if (centredOnZero) {
            double m = Math.max(Math.abs(lo), Math.abs(hi));
            return m > 0 ? new ValueRange(-m, m) : new ValueRange(-1, 1);
        }
        if (lo == hi) {
            double half = lo == 0 ? 0.5 : Math.abs(lo) * 0.05;
            return new ValueRange(lo - half, hi + half);
        }
        return new ValueRange(lo, hi);
    }

    /** Where {@code value} sits in the range, clamped to [0, 1]; NaN stays NaN. */
    public double fraction(double value) {
        if (Double.isNaN(value)) {
            return Double.NaN;
        }
        return Math.max(0, Math.min(1, (value - min) / (max - min)));
    }

    /** Whether any value is NaN (drawn in {@link ColorMap#NAN_RGB}, so the colour bar names it). */
    static boolean anyNaN(double[][] values) {
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isNaN(v)) {
                    return true;
                }
            }
        }
        return false;
    }
}
