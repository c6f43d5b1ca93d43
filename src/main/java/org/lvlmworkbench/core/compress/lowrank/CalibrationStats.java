package org.lvlmworkbench.core.compress.lowrank;

/**
 * What the data-aware factorisations know of a linear map's calibration inputs
 * {@code X [tokens, n]} (one row per token, the map acting as {@code y = W·x}).
 *
 * @param n       input width of the map
 * @param tokens  rows of {@code X}
 * @param gram    {@code G = XᵀX}, row-major {@code n × n}, double precision (as
 *                {@code core.analysis.spectra.CalibrationGrams} gives it)
 * @param meanAbs {@code mean_t |x_{t,j}|} per input channel {@code j}, or null when not collected.
 *                ASVD needs it, and {@code G}'s diagonal gives only {@code mean x²}, not it.
 */
public record CalibrationStats(int n, long tokens, double[] gram, double[] meanAbs) {

    public CalibrationStats {
        if (n < 1) {
            throw new IllegalArgumentException("input width " + n + " must be positive");
        }
        if (tokens < 0) {
            throw new IllegalArgumentException("token count " + tokens + " is negative");
        }
        if (gram == null || gram.length != (long) n * n) {
            throw new IllegalArgumentException("a Gram for " + n + " inputs needs " + (long) n * n + " values, got "
                    + (gram == null ? "none" : gram.length));
        }
        if (meanAbs != null) {
            if (meanAbs.length != n) {
                throw new IllegalArgumentException("mean |x| needs " + n + " values, got " + meanAbs.length);
            }
            for (double v : meanAbs) {
                if (!(v >= 0 && Double.isFinite(v))) {
                    throw new IllegalArgumentException("mean |x| holds " + v + ", not a finite non-negative number");
                }
            }
        }
        for (double v : gram) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("the Gram holds NaN or infinite entries");
            }
        }
    }

    /** The statistics of {@code x} (row-major {@code [tokens, n]}), computed here in double precision. */
    public static CalibrationStats of(double[] x, int tokens, int n) {
        Accumulator a = new Accumulator(n);
        a.add(x, tokens);
        return a.build();
    }

    /**
     * Sums calibration rows as they arrive (for instance from a hook, item by item): {@code XᵀX} and
     * {@code Σ|x|} in double precision. Costs {@code n²} per row: for the small maps and tests; the
     * model-scale Grams come from {@code CalibrationGrams}, and {@link #addAbsolute} alone then
     * gives mean |x|.
     */
    public static final class Accumulator {
        private final int n;
        private final double[] gram;
        private final double[] absSum;
        private long tokens;
        private long absTokens;

        public Accumulator(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("input width " + n + " must be positive");
            }
            this.n = n;
            this.gram = new double[n * n];
            this.absSum = new double[n];
        }

        /** Adds {@code rows} rows of {@code x} (row-major {@code [rows, n]}) to both sums. */
        public Accumulator add(double[] x, int rows) {
            check(x.length, rows);
            for (int t = 0; t < rows; t++) {
                int o = t * n;
                for (int i = 0; i < n; i++) {
                    double xi = x[o + i];
                    if (xi == 0) {
                        continue;
                    }
                    int gi = i * n;
                    for (int j = i; j < n; j++) {
                        gram[gi + j] += xi * x[o + j];
                    }
                }
            }
            tokens += rows;
            addAbsolute(x, rows);
            return this;
        }

        /** As {@link #add(double[], int)} for float rows (widened exactly). */
        public Accumulator add(float[] x, int rows) {
            check(x.length, rows);
            double[] d = new double[x.length];
            for (int i = 0; i < d.length; i++) {
                d[i] = x[i];
            }
            return add(d, rows);
        }

        /** Adds {@code rows} rows to the {@code Σ|x|} sum only (when the Gram comes from elsewhere). */
        public Accumulator addAbsolute(double[] x, int rows) {
            check(x.length, rows);
            for (int t = 0; t < rows; t++) {
                for (int j = 0; j < n; j++) {
                    absSum[j] += Math.abs(x[t * n + j]);
                }
            }
            absTokens += rows;
            return this;
        }

        /** {@code mean |x|} over the rows given to {@link #addAbsolute} (and {@link #add}). */
        public double[] meanAbs() {
            double[] mean = new double[n];
            if (absTokens > 0) {
                for (int j = 0; j < n; j++) {
                    mean[j] = absSum[j] / absTokens;
                }
            }
            return mean;
        }

        /** The statistics of every row added so far. */
        public CalibrationStats build() {
            double[] g = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = i; j < n; j++) {
                    g[i * n + j] = gram[i * n + j];
                    g[j * n + i] = gram[i * n + j];
                }
            }
            return new CalibrationStats(n, tokens, g, meanAbs());
        }

        private void check(int length, int rows) {
            if (rows < 0 || (long) rows * n != length) {
                throw new IllegalArgumentException(rows + " rows of " + n + " inputs need " + (long) rows * n
                        + " values, the array holds " + length);
            }
        }
    }
}
