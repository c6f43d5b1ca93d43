package org.lvlmworkbench.app.widgets;

/**
 * The values a colour map spans: {@code min} maps to the map's first entry, {@code max} to its last.
 * A degenerate range (all values equal) maps everything to the middle.
 */
public record ValueRange(double min, double max) {

    public ValueRange {
        if (!Double.isFinite(min) || !Double.isFinite(max) || max < min) {
            throw new IllegalArgumentException("a value range needs finite min <= max, got [" + min + ", " + max + "]");
        }
    }

    /**
     * The range of the finite values in {@code values} ({@code [rows][cols]}); symmetric around zero when
     * {@code symmetric} (for a diverging map, so white means zero). With no finite value, {@code [0, 1]}.
     */
    public static ValueRange of(double[][] values, boolean symmetric) {
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
        if (symmetric) {
            double m = Math.max(Math.abs(lo), Math.abs(hi));
            return new ValueRange(-m, m);
        }
        return new ValueRange(lo, hi);
    }

    /** Where {@code value} sits in the range, clamped to [0, 1]; NaN stays NaN. */
    public double fraction(double value) {
        if (Double.isNaN(value)) {
            return Double.NaN;
        }
        if (max == min) {
            return 0.5;
        }
        return Math.max(0, Math.min(1, (value - min) / (max - min)));
    }
}
