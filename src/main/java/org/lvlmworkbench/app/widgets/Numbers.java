package org.lvlmworkbench.app.widgets;

import java.util.Locale;
import java.util.function.DoubleFunction;

/** How widgets print values: short, without noise digits, the same in every read-out and axis. */
public final class Numbers {

    private Numbers() {
    }

    /** Whole numbers with thousands separators, others with four significant digits; NaN as "no value". */
    public static String compact(double v) {
        if (Double.isNaN(v)) {
            return "no value";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "∞" : "−∞";
        }
        double a = Math.abs(v);
        if (v == Math.rint(v) && a < 1e12) {
            return String.format(Locale.ROOT, "%,d", (long) v);
        }
        if (a != 0 && (a < 1e-3 || a >= 1e6)) {
            return String.format(Locale.ROOT, "%.3e", v);
        }
        return strip(String.format(Locale.ROOT, "%.4g", v));
    }

    /**
     * A tick label: as many decimals as the tick spacing needs, thousands separated; spacings of a
     * million or more in M or G ("35M"), tiny ones in scientific notation, so all ticks of an axis
     * read alike.
     */
    public static String tick(double v, double step) {
        if (step >= 1e9) {
            return tick(v / 1e9, step / 1e9) + "G";
        }
        if (step >= 1e6) {
            return tick(v / 1e6, step / 1e6) + "M";
        }
        if (step > 0 && step < 1e-3) {
            return v == 0 ? "0" : String.format(Locale.ROOT, "%.1e", v);
        }
        int decimals = step <= 0 ? 0 : Math.max(0, (int) Math.ceil(-Math.log10(step) - 1e-9));
        String s = String.format(Locale.ROOT, "%,." + Math.min(decimals, 6) + "f", v);
        return s.matches("-0(\\.0*)?") ? s.substring(1) : s;
    }

    /** {@code format(v)} followed by the unit ("3.2 ms", "41 %"); NaN prints as "no value" without one. */
    public static String withUnit(DoubleFunction<String> format, double v, String unit) {
        String shown = format.apply(v);
        return Double.isNaN(v) || unit.isEmpty() ? shown : shown + " " + unit;
    }

    private static String strip(String s) {
        if (!s.contains(".") || s.contains("e")) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}
