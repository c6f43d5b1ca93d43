package org.lvlmworkbench.core.analysis.spectra;

/**
 * The singular values of one weight matrix and the numbers read from them.
 *
 * @param name           the weight's checkpoint key
 * @param component      {@code text}, {@code vision} or {@code projector}
 * @param layer          block index within the component, -1 for the projector
 * @param role           {@code q k v o gate up down}, {@code q k v o fc1 fc2} or {@code linear_1 linear_2}
 * @param rows           output features ({@code m})
 * @param cols           input features ({@code n})
 * @param singularValues {@code min(m, n)} values, descending
 * @param whitened       the activation-whitened spectrum (SVD-LLM), or null when no calibration was given
 */
public record MatrixSpectrum(String name, String component, int layer, String role, int rows, int cols,
        double[] singularValues, WhitenedSpectrum whitened) {

    public MatrixSpectrum {
        if (singularValues.length != Math.min(rows, cols)) {
            throw new IllegalArgumentException(name + ": " + singularValues.length + " singular values for a " + rows
                    + "×" + cols + " matrix");
        }
    }

    /**
     * Roy and Vetterli's effective rank (2007): {@code exp(H(p))} with {@code p_i = σ_i / Σσ} and
     * {@code H} the Shannon entropy in nats, zero values dropped ({@code 0·log 0 = 0}). Equals
     * {@code r} for {@code r} equal non-zero values; 0 for a zero matrix.
     */
    public double effectiveRankRoyVetterli() {
        return effectiveRankRoyVetterli(singularValues);
    }

    /** {@link #effectiveRankRoyVetterli()} of any spectrum (a whitened one, say). */
    public static double effectiveRankRoyVetterli(double[] singularValues) {
        double sum = 0;
        for (double s : singularValues) {
            sum += s;
        }
        if (sum == 0) {
            return 0;
        }
        double entropy = 0;
        for (double s : singularValues) {
            if (s > 0) {
                double p = s / sum;
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }

    /** The stable (numerical) rank {@code Σσ² / σ₁² = ‖W‖²_F / ‖W‖²₂}: 1 for a rank-1 matrix, 0 for a zero one. */
    public double stableRank() {
        double top = singularValues[0];
        return top == 0 ? 0 : sumOfSquares(singularValues) / (top * top);
    }

    /**
     * The largest rank {@code k} at which the two factors of a rank-{@code k} approximation,
     * {@code k·(m + n)} numbers, are still fewer than the {@code m·n} of the matrix: beyond it a
     * low-rank form saves nothing.
     */
    public long breakEvenRank() {
        return breakEvenRank(rows, cols);
    }

    /** The largest {@code k} with {@code k·(m + n) < m·n}: 2047 for {@code m = n = 4096}. */
    public static long breakEvenRank(long m, long n) {
        return (m * n - 1) / (m + n);
    }

    /**
     * The fraction of {@code Σσ²} (the squared Frobenius norm) kept by the best rank-{@code k}
     * approximation, for every {@code k}: index {@code k} from 0 (nothing kept, 0) to {@code min(m, n)}
     * (everything, 1). A zero matrix keeps everything at every rank.
     */
    /**
     * The fraction of {@code Σσ²} the first {@code k} values of {@code singularValues} hold (1 for a
     * zero spectrum): one entry of {@link #energyRetained()}, for any spectrum.
     */
    public static double energyRetained(double[] singularValues, int k) {
        double kept = 0;
        double total = 0;
        for (int i = 0; i < singularValues.length; i++) {
            double sq = singularValues[i] * singularValues[i];
            total += sq;
            if (i < k) {
                kept += sq;
            }
        }
        return total == 0 ? 1 : Math.min(1, kept / total);
    }

    public double[] energyRetained() {
        double[] kept = new double[singularValues.length + 1];
        double total = sumOfSquares(singularValues);
        double running = 0;
        for (int k = 1; k <= singularValues.length; k++) {
            running += singularValues[k - 1] * singularValues[k - 1];
            kept[k] = total == 0 ? 1 : Math.min(1, running / total);
        }
        kept[0] = total == 0 ? 1 : 0;
        kept[singularValues.length] = 1;
        return kept;
    }

    /** The smallest rank whose {@link #energyRetained()} reaches {@code fraction} (in [0, 1]). */
    public int rankForEnergy(double fraction) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException(name + ": energy fraction " + fraction + " is outside [0, 1]");
        }
        double[] kept = energyRetained();
        for (int k = 0; k < kept.length; k++) {
            if (kept[k] >= fraction) {
                return k;
            }
        }
        return kept.length - 1;
    }

    private static double sumOfSquares(double[] sigma) {
        double s = 0;
        for (double v : sigma) {
            s += v * v;
        }
        return s;
    }
}
