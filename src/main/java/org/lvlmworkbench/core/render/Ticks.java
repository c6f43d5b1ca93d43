package org.lvlmworkbench.core.render;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Round tick values (1, 2 or 5 times a power of ten; decades on log scales) and their labels. */
final class Ticks {

    private Ticks() {
    }

    /** The smallest of 1, 2, 5 × 10^k that is at least {@code rough} (rough > 0). */
    static double niceStep(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / power;
        double nice = f <= 1 + 1e-9 ? 1 : f <= 2 + 1e-9 ? 2 : f <= 5 + 1e-9 ? 5 : 10;
        return nice * power;
    }

    /** The one of 1, 2, 5 × 10^k nearest to {@code rough} (rough > 0), so the tick count comes close to the target. */
    static double nearestStep(double rough) {
        double power = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / power;
        double nice = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
        return nice * power;
    }

    /** The smallest of 1, 2, 5, 10, 20, … that is at least {@code rough}: the stride for thinned labels. */
    static int niceStride(double rough) {
        return rough <= 1 ? 1 : (int) Math.round(niceStep(rough));
    }

    /** About {@code target} round values inside [min, max] (min < max), at least two where the range allows. */
    static double[] linear(double min, double max, int target) {
        double step = nearestStep((max - min) / Math.max(1, target));
        double[] ticks = linear(min, max, step);
        // A coarse step can straddle a short range (0.3..0.9 with step 1): refine until two ticks show.
        for (int i = 0; ticks.length < 2 && i < 6; i++) {
            step = smallerStep(step);
            ticks = linear(min, max, step);
        }
        return ticks;
    }

    /** The next round step down: 1 → 0.5, 2 → 1, 5 → 2 (times the same power of ten). */
    private static double smallerStep(double step) {
        double mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
        return step * (mantissa > 3 ? 0.4 : 0.5);
    }

    private static double[] linear(double min, double max, double step) {
        double first = Math.ceil(min / step - 1e-9) * step;
        List<Double> out = new ArrayList<>();
        for (int i = 0; ; i++) {
            double v = first + i * step;
            if (v > max + step * 1e-9) {
                break;
            }
            // Snap the rounding noise of first + i*step, so 0.30000000000000004 is labelled 0.3 and -0 is 0.
            out.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Ticks of a log scale inside [min, max] (0 < min < max): every k-th power of ten, so about
     * {@code target} of them; where fewer than three powers fall inside, also their 2× and 5× multiples.
     */
    static double[] log(double min, double max, int target) {
        int lo = (int) Math.floor(Math.log10(min));
        int hi = (int) Math.ceil(Math.log10(max));
        int stride = Math.max(1, (int) Math.ceil((hi - lo) / (double) Math.max(1, target)));
        List<Double> out = new ArrayList<>();
        for (int e = lo; e <= hi; e++) {
            if (Math.floorMod(e, stride) == 0) {
                addInside(out, Math.pow(10, e), min, max);
            }
        }
        if (out.size() < 3) {
            out.clear();
            for (int e = lo; e <= hi; e++) {
                for (double m : new double[] {1, 2, 5}) {
                    addInside(out, m * Math.pow(10, e), min, max);
                }
            }
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static void addInside(List<Double> out, double v, double min, double max) {
        if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) {
            out.add(v);
        }
    }

    /** Labels for evenly spaced ticks: as many decimals as the step needs, scientific for huge or tiny values. */
    static String[] linearLabels(double[] ticks) {
        String[] out = new String[ticks.length];
        if (ticks.length == 0) {
            return out;
        }
        double step = ticks.length > 1 ? ticks[1] - ticks[0] : Math.abs(ticks[0]);
        double largest = 0;
        for (double t : ticks) {
            largest = Math.max(largest, Math.abs(t));
        }
        boolean scientific = largest >= 1e6 || (largest > 0 && largest < 1e-3);
        int stepExponent = step > 0 ? (int) Math.floor(Math.log10(step) + 1e-9) : 0;
        for (int i = 0; i < ticks.length; i++) {
            if (scientific) {
                int decimals = ticks[i] == 0 ? 0 : Math.max(0, (int) Math.floor(Math.log10(largest)) - stepExponent);
                out[i] = ticks[i] == 0 ? "0" : scientific(ticks[i], decimals);
            } else {
                out[i] = String.format(Locale.ROOT, "%." + Math.max(0, -stepExponent) + "f", ticks[i]);
            }
            out[i] = typographicMinus(out[i]);
        }
        return out;
    }

    /** A value in three significant digits, plain where that is short, else like {@code 1.5e-5}. */
    static String value(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "\u221e" : "\u2212\u221e";
        }
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        if (a >= 1e-3 && a < 1e6) {
            String plain = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros().toPlainString();
            return typographicMinus(plain);
        }
        return typographicMinus(scientific(v, 2));
    }

    /** Label of a power-of-ten tick (or a 2×, 5× multiple): plain from 0.001 to 100000, else {@code 1e-6}. */
    static String logLabel(double v) {
        return v >= 1e-3 && v < 1e6 ? value(v) : typographicMinus(scientific(v, 0));
    }

    /** Typeset minus (U+2212): as wide as a plus, the way printed axes show negative numbers. */
    private static String typographicMinus(String s) {
        return s.replace('-', '\u2212');
    }

    private static String scientific(double v, int decimals) {
        String s = String.format(Locale.ROOT, "%." + decimals + "e", v);
        int e = s.indexOf('e');
        String mantissa = s.substring(0, e);
        if (mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        int exponent = Integer.parseInt(s.substring(e + 1));
        return mantissa + "e" + exponent;
    }
}
