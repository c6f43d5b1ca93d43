package org.lvlmworkbench.core.linalg;

import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.QRDecomposition;

/** Matrices with known spectra for the linear-algebra tests. */
public final class TestMatrices {

    private TestMatrices() {
    }

    public static double[] gaussian(int rows, int cols, Random random) {
        double[] a = new double[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextGaussian();
        }
        return a;
    }

    public static float[] gaussianFloats(int rows, int cols, Random random) {
        float[] a = new float[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
        }
        return a;
    }

    /** {@code rows × k} with orthonormal columns: the Q of a Gaussian matrix's QR. */
    public static double[] orthonormalColumns(int rows, int k, Random random) {
        QRDecomposition<DMatrixRMaj> qr = DecompositionFactory_DDRM.qr(rows, k);
        if (!qr.decompose(DMatrixRMaj.wrap(rows, k, gaussian(rows, k, random)))) {
            throw new IllegalStateException("QR failed");
        }
        return qr.getQ(null, true).data;
    }

    /** {@code U·diag(sigma)·Vᵀ}, row-major {@code rows × cols}, for random orthonormal {@code U}, {@code V}. */
    public static double[] withSingularValues(int rows, int cols, double[] sigma, Random random) {
        int k = sigma.length;
        double[] u = orthonormalColumns(rows, k, random);
        double[] v = orthonormalColumns(cols, k, random);
        double[] a = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) {
                    s += u[i * k + t] * sigma[t] * v[j * k + t];
                }
                a[i * cols + j] = s;
            }
        }
        return a;
    }
}
