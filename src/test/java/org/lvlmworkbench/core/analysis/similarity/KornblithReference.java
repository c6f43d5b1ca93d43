package org.lvlmworkbench.core.analysis.similarity;

import java.util.Arrays;

/**
 * An independent, deliberately plain port of Kornblith et al.'s reference {@code cka.py} (full n×n
 * matrices, nothing shared with the code under test): {@code gram_linear}, {@code gram_rbf},
 * {@code center_gram(unbiased=True)} (Székely and Rizzo's U-centring), and the biased route
 * ({@code center_gram(unbiased=False)}: H K H) that the code under test must not follow.
 */
final class KornblithReference {

    private KornblithReference() {
    }

    static double[][] gramLinear(double[][] x) {
        int n = x.length;
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int c = 0; c < x[i].length; c++) {
                    k[i][j] += x[i][c] * x[j][c];
                }
            }
        }
        return k;
    }

    /**
     * {@code gram_rbf}: squared distances from dot products (‖xᵢ‖² + ‖xⱼ‖² − 2xᵢ·xⱼ), bandwidth from the
     * median over the off-diagonal entries (the workbench's definition; Kornblith's includes the zeros).
     */
    static double[][] gramRbf(double[][] x, double fraction) {
        int n = x.length;
        double[][] dots = gramLinear(x);
        double[][] sq = new double[n][n];
        double[] offDiagonal = new double[n * (n - 1)];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                sq[i][j] = dots[i][i] + dots[j][j] - 2 * dots[i][j];
                if (i != j) {
                    offDiagonal[at++] = sq[i][j];
                }
            }
        }
        Arrays.sort(offDiagonal);
        int m = offDiagonal.length;
        double median = m % 2 == 1 ? offDiagonal[m / 2] : (offDiagonal[m / 2 - 1] + offDiagonal[m / 2]) / 2;
        double[][] k = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                k[i][j] = Math.exp(-sq[i][j] / (2 * fraction * fraction * median));
            }
        }
        return k;
    }

    /** {@code center_gram(gram, unbiased=True)}. */
    static double[][] centerUnbiased(double[][] gram) {
        int n = gram.length;
        double[][] g = copy(gram);
        for (int i = 0; i < n; i++) {
            g[i][i] = 0;
        }
        double[] means = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                means[j] += g[i][j];
            }
        }
        double sumOfMeans = 0;
        for (int j = 0; j < n; j++) {
            means[j] /= n - 2;
            sumOfMeans += means[j];
        }
        for (int j = 0; j < n; j++) {
            means[j] -= sumOfMeans / (2 * (n - 1));
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                g[i][j] -= means[i] + means[j];
            }
            g[i][i] = 0;
        }
        return g;
    }

    /** {@code center_gram(gram, unbiased=False)}: H K H with H = I − 11ᵀ/n, the diagonal kept. */
    static double[][] centerBiased(double[][] gram) {
        int n = gram.length;
        double[] rowMeans = new double[n];
        double mean = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                rowMeans[i] += gram[i][j] / n;
            }
            mean += rowMeans[i] / n;
        }
        double[][] g = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                g[i][j] = gram[i][j] - rowMeans[i] - rowMeans[j] + mean;
            }
        }
        return g;
    }

    /** The debiased HSIC: ⟨K̃c, L̃c⟩ / (n(n−3)). */
    static double debiasedHsic(double[][] k, double[][] l) {
        int n = k.length;
        return frobenius(centerUnbiased(k), centerUnbiased(l)) / ((double) n * (n - 3));
    }

    /** {@code cka(gram_x, gram_y, debiased=True)}. */
    static double debiasedCka(double[][] k, double[][] l) {
        return cka(centerUnbiased(k), centerUnbiased(l));
    }

    /** {@code cka(gram_x, gram_y, debiased=False)}: the biased estimator. */
    static double biasedCka(double[][] k, double[][] l) {
        return cka(centerBiased(k), centerBiased(l));
    }

    private static double cka(double[][] kc, double[][] lc) {
        return frobenius(kc, lc) / Math.sqrt(frobenius(kc, kc) * frobenius(lc, lc));
    }

    private static double frobenius(double[][] a, double[][] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a.length; j++) {
                s += a[i][j] * b[i][j];
            }
        }
        return s;
    }

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }
}
