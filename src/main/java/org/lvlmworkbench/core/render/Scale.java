package org.lvlmworkbench.core.render;

/** A linear or base-10 logarithmic mapping of [min, max] (min < max; min > 0 when log) to [0, 1]. */
record Scale(double min, double max, boolean log) {

    Scale {
        if (!(min < max) || !Double.isFinite(min) || !Double.isFinite(max) || (log && min <= 0)) {
            throw new IllegalStateException("axis range [" + min + ", " + max + "]" + (log ? " on a log scale" : ""));
        }
    }

    /**
     * The scale for data spanning [lo, hi], widened by {@code pad} of the span at each end (in
     * decades on a log scale). No data (lo > hi) gives [0, 1] ([1, 10] on a log scale); a single
     * value is widened to a visible span around it.
     */
    static Scale fit(double lo, double hi, boolean log, double pad) {
        if (lo > hi) {
            return log ? new Scale(1, 10, true) : new Scale(0, 1, false);
        }
        if (log) {
            double a = Math.log10(lo);
            double b = Math.log10(hi);
            if (a == b) {
                a -= 0.5;
                b += 0.5;
            }
            double p = (b - a) * pad;
            return new Scale(Math.pow(10, a - p), Math.pow(10, b + p), true);
        }
        if (lo == hi) {
            double half = lo == 0 ? 1 : Math.abs(lo) * 0.1;
            return new Scale(lo - half, hi + half, false);
        }
        double p = (hi - lo) * pad;
        return new Scale(lo - p, hi + p, false);
    }

    /** Where {@code v} falls, 0 at min and 1 at max (outside [0, 1] beyond the range; NaN for v ≤ 0 on a log scale). */
    double fraction(double v) {
        if (log) {
            return v > 0 ? (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : Double.NaN;
        }
        return (v - min) / (max - min);
    }

    /** Whether {@code v} can be drawn at all on this scale. */
    boolean accepts(double v) {
        return Double.isFinite(v) && (!log || v > 0);
    }

    double[] ticks(int target) {
        return log ? Ticks.log(min, max, target) : Ticks.linear(min, max, target);
    }

    String[] labels(double[] ticks) {
        if (!log) {
            return Ticks.linearLabels(ticks);
        }
        String[] out = new String[ticks.length];
        for (int i = 0; i < ticks.length; i++) {
            out[i] = Ticks.logLabel(ticks[i]);
        }
        return out;
    }
}
