package org.lvlmworkbench.app.widgets;

import java.util.ArrayList;
import java.util.List;

/** Tick positions for axes and colour bars: round steps (1, 2 or 5 × 10ⁿ) or decades on a log axis. */
public final class AxisTicks {

    private AxisTicks() {
    }

    /** The spacing {@link #linear} uses: a round step giving about {@code target} intervals over the span. */
    public static double step(double min, double max, int target) {
        double span = max - min;
        if (!(span > 0)) {
            return 0;
        }
        double raw = span / Math.max(1, target);
        double power = Math.pow(10, Math.floor(Math.log10(raw)));
        double f = raw / power;
        double nice = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
        return nice * power;
    }

    /** Multiples of {@link #step} within {@code [min, max]}; just {@code min} when the span is empty. */
    public static double[] linear(double min, double max, int target) {
        return multiples(min, max, step(min, max, target));
    }

    /** Multiples of {@code step} within {@code [min, max]}; just {@code min} when the step is 0. */
    public static double[] multiples(double min, double max, double step) {
        if (step == 0) {
            return new double[] {min};
        }
        List<Double> ticks = new ArrayList<>();
        for (double k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) {
            ticks.add(Math.abs(k * step) < step * 1e-9 ? 0 : k * step);
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Ticks for a logarithmic axis over {@code [min, max]} (both positive): powers of ten, thinned to at
     * most {@code target}; over fewer than three decades also 2 and 5 times each power, so a short axis
     * still has labels between its ends.
     */
    public static double[] decades(double min, double max, int target) {
        int lo = (int) Math.floor(Math.log10(min) + 1e-9);
        int hi = (int) Math.floor(Math.log10(max) + 1e-9);
        boolean fine = Math.log10(max / min) < 3;
        int every = fine ? 1 : Math.max(1, (int) Math.ceil((hi - lo + 1) / (double) Math.max(1, target)));
        List<Double> ticks = new ArrayList<>();
        for (int e = lo; e <= hi; e += every) {
            double power = Math.pow(10, e);
            for (double m : fine ? new double[] {1, 2, 5} : new double[] {1}) {
                double t = m * power;
                if (t >= min * (1 - 1e-9) && t <= max * (1 + 1e-9)) {
                    ticks.add(t);
                }
            }
        }
        return ticks.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
