package org.lvlmworkbench.core.compress.lowrank;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both SVD routes, LAPACK's (used where a native LAPACK is installed) and EJML's, rebuild the matrix from orthonormal vectors. */
class ThinSvdTest {

    private static void checkSvd(ThinSvd svd, double[] a, int rows, int cols, String what) {
        int r = Math.min(rows, cols);
        assertEquals(r, svd.rank, what);
        for (int i = 1; i < r; i++) {
            assertEquals(true, svd.sigma[i] <= svd.sigma[i - 1], what + ": descending");
        }
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                double v = 0;
                for (int k = 0; k < r; k++) {
                    v += svd.u[i * r + k] * svd.sigma[k] * svd.vt[k * cols + j];
                }
                assertEquals(a[i * cols + j], v, 1e-10, what + ": U·Σ·Vᵀ = A at " + i + "," + j);
            }
        }
        for (int p = 0; p < r; p++) {
            for (int q = 0; q < r; q++) {
                double uu = 0;
                for (int i = 0; i < rows; i++) {
                    uu += svd.u[i * r + p] * svd.u[i * r + q];
                }
                double vv = 0;
                for (int j = 0; j < cols; j++) {
                    vv += svd.vt[p * cols + j] * svd.vt[q * cols + j];
                }
                assertEquals(p == q ? 1 : 0, uu, 1e-10, what + ": UᵀU = I");
                assertEquals(p == q ? 1 : 0, vv, 1e-10, what + ": VᵀV = I");
            }
        }
    }

    @Test
    void lapackAndEjmlAgreeOnTallAndWideMatrices() {
        Random random = new Random(5);
        for (int[] shape : new int[][] {{7, 19}, {19, 7}, {12, 12}}) {
            int rows = shape[0];
            int cols = shape[1];
            double[] a = new double[rows * cols];
            for (int i = 0; i < a.length; i++) {
                a[i] = random.nextGaussian();
            }
            String what = rows + "×" + cols;
            ThinSvd lapack = ThinSvd.lapack(a.clone(), rows, cols);
            assertNotNull(lapack, what);
            ThinSvd ejml = ThinSvd.ejml(a.clone(), rows, cols);
            checkSvd(lapack, a, rows, cols, what + " LAPACK");
            checkSvd(ejml, a, rows, cols, what + " EJML");
            checkSvd(ThinSvd.of(a.clone(), rows, cols), a, rows, cols, what + " chosen");
            assertArrayEquals(ejml.sigma, lapack.sigma, 1e-10, what);
        }
    }
}
