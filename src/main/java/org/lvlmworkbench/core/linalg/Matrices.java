package org.lvlmworkbench.core.linalg;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_MT_DDRM;

/** Dense row-major matrices held in plain arrays: size checks, widening, products. */
public final class Matrices {

    private Matrices() {
    }

    /** Refuses an array that does not hold exactly {@code rows × cols} values, naming {@code what}. */
    static void checkSize(double[] a, int rows, int cols, String what) {
        checkSize(a.length, rows, cols, what);
    }

    static void checkSize(float[] a, int rows, int cols, String what) {
        checkSize(a.length, rows, cols, what);
    }

    private static void checkSize(int length, int rows, int cols, String what) {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException(what + ": shape " + rows + "×" + cols + " is empty");
        }
        if ((long) rows * cols != length) {
            throw new IllegalArgumentException(what + ": shape " + rows + "×" + cols + " needs "
                    + (long) rows * cols + " values, the array holds " + length);
        }
    }

    /** The float values as doubles (exact). */
    public static double[] widen(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    /**
     * {@code A·B} for {@code A} row-major {@code rows × inner} and {@code B} row-major
     * {@code inner × cols}; EJML's threaded product, so it uses every core.
     */
    public static double[] multiply(double[] a, int rows, int inner, double[] b, int cols) {
        checkSize(a, rows, inner, "left factor");
        checkSize(b, inner, cols, "right factor");
        DMatrixRMaj c = new DMatrixRMaj(rows, cols);
        CommonOps_MT_DDRM.mult(DMatrixRMaj.wrap(rows, inner, a), DMatrixRMaj.wrap(inner, cols, b), c);
        return c.data;
    }
}
