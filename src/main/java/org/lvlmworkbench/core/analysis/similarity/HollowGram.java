package org.lvlmworkbench.core.analysis.similarity;

import java.util.Arrays;
import org.lvlmworkbench.core.jobs.Progress;

/**
 * A symmetric n×n Gram matrix with its diagonal set to zero (K̃ of Song et al. 2012), held as what the
 * unbiased HSIC estimator needs: the strictly upper triangle, the row sums and the total.
 * Keeping only the upper triangle halves the memory and the work of every pairwise comparison.
 *
 * <p>Layout of {@link #upper}: row-major over i &lt; j, that is (0,1), (0,2) … (0,n−1), (1,2) … (n−2,n−1),
 * n(n−1)/2 values.
 */
final class HollowGram {

    final int n;
    final double[] upper;
    /** Row sums of K̃; as K̃ is symmetric these are also its column sums (1ᵀK̃ = (K̃1)ᵀ). */
    final double[] rowSums;
    /** 1ᵀK̃1. */
    final double total;

    private HollowGram(int n, double[] upper) {
        this.n = n;
        this.upper = upper;
        this.rowSums = new double[n];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                rowSums[i] += upper[at];
                rowSums[j] += upper[at];
                at++;
            }
        }
        double sum = 0;
        for (double r : rowSums) {
            sum += r;
        }
        this.total = sum;
    }

    /**
     * The linear kernel X Xᵀ of n×d rows. The columns are centred first: the unbiased HSIC is unchanged
     * by adding a constant vector to every example (the estimator cancels rank-one row and column
     * offsets), while raw activations with a large common mean would lose most digits to cancellation.
     */
    static HollowGram linear(double[][] x, String what, Progress progress) {
        int n = requireExamples(x, what);
        int d = x[0].length;
        double[] mean = new double[d];
        for (double[] row : x) {
            for (int k = 0; k < d; k++) {
                mean[k] += row[k];
            }
        }
        double[][] centred = new double[n][d];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < d; k++) {
                centred[i][k] = x[i][k] - mean[k] / n;
            }
        }
        double[] upper = new double[packedLength(n, what)];
        int at = 0;
        for (int i = 0; i < n; i++) {
            progress.checkCancelled();
            for (int j = i + 1; j < n; j++) {
                upper[at++] = dot(centred[i], centred[j]);
            }
        }
        return new HollowGram(n, upper);
    }

    /**
     * The RBF kernel exp(−‖xᵢ − xⱼ‖² / (2σ²)) with σ² = fraction² · median of the squared distances over
     * the pairs i &lt; j (Kornblith's {@code gram_rbf} threshold, without the diagonal's zeros).
     */
    static HollowGram rbf(double[][] x, double fraction, String what, Progress progress) {
        int n = requireExamples(x, what);
        double[] upper = new double[packedLength(n, what)];
        int at = 0;
        for (int i = 0; i < n; i++) {
            progress.checkCancelled();
            for (int j = i + 1; j < n; j++) {
                upper[at++] = squaredDistance(x[i], x[j]);
            }
        }
        double median = median(upper);
        if (!(median > 0)) {
            throw new IllegalArgumentException(what + ": the median squared distance between its " + n
                    + " rows is " + median + " (most rows are identical), so the RBF bandwidth is undefined");
        }
        double scale = -1 / (2 * fraction * fraction * median);
        for (int k = 0; k < upper.length; k++) {
            upper[k] = Math.exp(upper[k] * scale);
        }
        return new HollowGram(n, upper);
    }

    /** A given symmetric n×n Gram; its diagonal is ignored (treated as zero). */
    static HollowGram of(double[][] k, String what) {
        int n = requireExamples(k, what);
        if (k[0].length != n) {
            throw new IllegalArgumentException(what + " is not square: " + n + " rows of " + k[0].length + " columns");
        }
        double largest = 0;
        for (double[] row : k) {
            for (double v : row) {
                largest = Math.max(largest, Math.abs(v));
            }
        }
        double[] upper = new double[packedLength(n, what)];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                // A Gram computed by another routine may differ from its transpose by rounding only.
                if (Math.abs(k[i][j] - k[j][i]) > 1e-12 * largest) {
                    throw new IllegalArgumentException(what + " is not symmetric: [" + i + "][" + j + "] = "
                            + k[i][j] + ", [" + j + "][" + i + "] = " + k[j][i]);
                }
                upper[at++] = k[i][j];
            }
        }
        return new HollowGram(n, upper);
    }

    /**
     * HSIC₁(K, L) of Song et al. 2012 as Nguyen, Raghu &amp; Kornblith 2021 (eq. 3) write it:
     * [tr(K̃L̃) + (1ᵀK̃1)(1ᵀL̃1)/((n−1)(n−2)) − (2/(n−2))·1ᵀK̃L̃1] / (n(n−3)).
     * O(n²): tr(K̃L̃) = Σ K̃∘L̃ for symmetric matrices (twice the upper triangles' dot product, the
     * diagonals being zero) and 1ᵀK̃L̃1 is the dot product of the two row-sum vectors.
     */
    double unbiasedHsic(HollowGram other) {
        if (other.n != n) {
            throw new IllegalArgumentException("Grams of " + n + " and " + other.n + " examples cannot be compared");
        }
        double trace = 2 * dot(upper, other.upper);
        double rowSumProduct = dot(rowSums, other.rowSums);
        double m = n;
        return (trace + total * other.total / ((m - 1) * (m - 2)) - 2 / (m - 2) * rowSumProduct) / (m * (m - 3));
    }

    /**
     * n, after checking that the matrix is finite and rectangular and that n exceeds 3: the estimator
     * divides by n − 3 (and by n − 2, n − 1).
     */
    private static int requireExamples(double[][] x, String what) {
        Rows.width(x, what);
        if (x.length <= 3) {
            throw new IllegalArgumentException(what + " has " + x.length
                    + " rows; the unbiased HSIC estimator needs more than 3 examples (it divides by n − 3)");
        }
        return x.length;
    }

    private static int packedLength(int n, String what) {
        long length = (long) n * (n - 1) / 2;
        if (length > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(what + " has " + n + " rows; a minibatch's Gram must hold fewer than "
                    + "2³¹ pairs (about 65,000 rows): split it");
        }
        return (int) length;
    }

    /** Four partial sums, so consecutive multiply-adds do not wait on one another. */
    private static double dot(double[] a, double[] b) {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        int k = 0;
        for (int end = a.length - 3; k < end; k += 4) {
            s0 += a[k] * b[k];
            s1 += a[k + 1] * b[k + 1];
            s2 += a[k + 2] * b[k + 2];
            s3 += a[k + 3] * b[k + 3];
        }
        for (; k < a.length; k++) {
            s0 += a[k] * b[k];
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** Σ (aₖ − bₖ)², from the differences rather than ‖a‖² + ‖b‖² − 2a·b, which cancels for close rows. */
    private static double squaredDistance(double[] a, double[] b) {
        double s0 = 0;
        double s1 = 0;
        int k = 0;
        for (int end = a.length - 1; k < end; k += 2) {
            double d0 = a[k] - b[k];
            double d1 = a[k + 1] - b[k + 1];
            s0 += d0 * d0;
            s1 += d1 * d1;
        }
        if (k < a.length) {
            double d0 = a[k] - b[k];
            s0 += d0 * d0;
        }
        return s0 + s1;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int m = sorted.length;
        return m % 2 == 1 ? sorted[m / 2] : (sorted[m / 2 - 1] + sorted[m / 2]) / 2;
    }
}
