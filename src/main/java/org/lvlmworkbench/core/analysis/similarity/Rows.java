package org.lvlmworkbench.core.analysis.similarity;

/** Checks and widening for feature matrices given as rows (one row per example or token). */
final class Rows {

    private Rows() {
    }

    /**
     * The rows widened to double, after checking that they form a finite, rectangular n×d matrix.
     *
     * @param what names the matrix in error messages, e.g. {@code features[3]}
     */
    static double[][] widen(float[][] rows, String what) {
        requirePresent(rows, what);
        int d = rows[0].length;
        double[][] wide = new double[rows.length][d];
        for (int i = 0; i < rows.length; i++) {
            requireLength(rows[i].length, d, i, what);
            for (int k = 0; k < d; k++) {
                float v = rows[i][k];
                if (!Float.isFinite(v)) {
                    throw new IllegalArgumentException(what + " row " + i + " column " + k + " holds " + v);
                }
                wide[i][k] = v;
            }
        }
        return wide;
    }

    /** The common row length d ≥ 1, after checking that the matrix is rectangular and finite. */
    static int width(double[][] rows, String what) {
        requirePresent(rows, what);
        int d = rows[0].length;
        for (int i = 0; i < rows.length; i++) {
            requireLength(rows[i].length, d, i, what);
            for (int k = 0; k < d; k++) {
                if (!Double.isFinite(rows[i][k])) {
                    throw new IllegalArgumentException(what + " row " + i + " column " + k + " holds " + rows[i][k]);
                }
            }
        }
        return d;
    }

    /** The matrix, its rows and row 0's features are there; row lengths are checked by the caller. */
    static void requirePresent(Object[] rows, String what) {
        if (rows == null || rows.length == 0) {
            throw new IllegalArgumentException(what + " has no rows");
        }
        for (int i = 0; i < rows.length; i++) {
            if (rows[i] == null) {
                throw new IllegalArgumentException(what + " row " + i + " is missing");
            }
        }
    }

    private static void requireLength(int length, int d, int row, String what) {
        if (d == 0) {
            throw new IllegalArgumentException(what + " rows have no features");
        }
        if (length != d) {
            throw new IllegalArgumentException(what + " row " + row + " has " + length + " features, row 0 has " + d);
        }
    }
}
