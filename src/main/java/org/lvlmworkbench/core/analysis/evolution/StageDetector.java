package org.lvlmworkbench.core.analysis.evolution;

import java.util.Arrays;

/**
 * The critical and mutation layers of a divergence curve {@code d} (one value per transition), by a
 * documented rule (the paper gives none; its code hard-codes stage boundaries):
 * <ul>
 * <li>critical = the first transition {@code c} such that {@code d[k] ≤ tau · max(d)} for every
 *     {@code k} in {@code [c, c + window)} (a shorter tail at the end counts if it is all settled);</li>
 * <li>mutation = the first transition {@code m > c} whose divergence exceeds
 *     {@code median + robustZ · 1.4826 · MAD} of {@code d[c..m)} (the stable stretch so far; with a
 *     deviation floor of 1 % of {@code max(d)} so a perfectly flat stretch does not flag noise);</li>
 * <li>stages: {@code [0, c)} rapid, {@code [c, m)} stable, {@code [m, end)} mutation.</li>
 * </ul>
 */
public final class StageDetector {

    private StageDetector() {
    }

    public static Stages detect(double[] d, StageSettings s) {
        int n = d.length;
        String[] stage = new String[n];
        Arrays.fill(stage, "rapid");
        double max = 0;
        for (double v : d) {
            max = Math.max(max, v);
        }
        if (n == 0 || max == 0) {
            Arrays.fill(stage, "stable");
            return new Stages(n == 0 ? -1 : 0, -1, stage, false);
        }
        double settled = s.tau() * max;
        int critical = -1;
        for (int c = 0; c < n && critical < 0; c++) {
            boolean all = true;
            for (int k = c; k < Math.min(n, c + s.window()) && all; k++) {
                all = d[k] <= settled;
            }
            if (all) {
                critical = c;
            }
        }
        if (critical < 0) {
            return new Stages(-1, -1, stage, false);
        }
        int mutation = -1;
        for (int m = critical + 1; m < n && mutation < 0; m++) {
            double[] stretch = Arrays.copyOfRange(d, critical, m);
            double median = median(stretch);
            double[] deviations = new double[stretch.length];
            for (int i = 0; i < stretch.length; i++) {
                deviations[i] = Math.abs(stretch[i] - median);
            }
            double sigma = Math.max(1.4826 * median(deviations), 0.01 * max);
            if (d[m] > median + s.robustZ() * sigma) {
                mutation = m;
            }
        }
        for (int i = critical; i < n; i++) {
            stage[i] = mutation >= 0 && i >= mutation ? "mutation" : "stable";
        }
        return new Stages(critical, mutation, stage, mutation == n - 1);
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int n = v.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
}
