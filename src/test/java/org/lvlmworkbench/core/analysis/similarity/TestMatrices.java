package org.lvlmworkbench.core.analysis.similarity;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.RandomMatrices_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/** Random feature matrices (rows = examples) and the transforms the invariance tests apply. */
final class TestMatrices {

    private TestMatrices() {
    }

    static double[][] gaussian(int rows, int columns, Random random) {
        double[][] x = new double[rows][columns];
        for (double[] row : x) {
            for (int c = 0; c < columns; c++) {
                row[c] = random.nextGaussian();
            }
        }
        return x;
    }

    /** A random d×d orthogonal matrix: the Q of a Gaussian matrix's QR decomposition. */
    static double[][] orthogonal(int d, Random random) {
        DMatrixRMaj gaussian = RandomMatrices_DDRM.rectangleGaussian(d, d, 0, 1, random);
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(d, d);
        if (!qr.decompose(gaussian)) {
            throw new IllegalStateException("QR of a Gaussian matrix failed");
        }
        DMatrixRMaj q = qr.getQ(null, false);
        double[][] m = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                m[i][j] = q.get(i, j);
            }
        }
        return m;
    }

    /** x·m for rows x (n×a) and an a×b matrix m. */
    static double[][] times(double[][] x, double[][] m) {
        double[][] y = new double[x.length][m[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int k = 0; k < m.length; k++) {
                for (int j = 0; j < m[0].length; j++) {
                    y[i][j] += x[i][k] * m[k][j];
                }
            }
        }
        return y;
    }

    /** s·x + offset in every entry. */
    static double[][] affine(double[][] x, double scale, double offset) {
        double[][] y = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                y[i][j] = scale * x[i][j] + offset;
            }
        }
        return y;
    }

    /** A nonlinear relative of x: tanh(x·w) plus independent noise, so CKA(x, y) lies well inside (0, 1). */
    static double[][] related(double[][] x, int columns, double noise, Random random) {
        double[][] y = times(x, gaussian(x[0].length, columns, random));
        for (double[] row : y) {
            for (int j = 0; j < columns; j++) {
                row[j] = Math.tanh(row[j] / Math.sqrt(x[0].length)) + noise * random.nextGaussian();
            }
        }
        return y;
    }

    static float[][] toFloat(double[][] x) {
        float[][] f = new float[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                f[i][j] = (float) x[i][j];
            }
        }
        return f;
    }

    static double[][] toDouble(float[][] x) {
        double[][] d = new double[x.length][x[0].length];
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < x[0].length; j++) {
                d[i][j] = x[i][j];
            }
        }
        return d;
    }

    /** Rows [from, from + count) of x. */
    static double[][] rows(double[][] x, int from, int count) {
        double[][] part = new double[count][];
        System.arraycopy(x, from, part, 0, count);
        return part;
    }
}
