package org.lvlmworkbench.core.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The native route of {@link Lapack} against the Java translation, and the reason the native library is
 * opened by {@link Lapack} at all: its BLAS must not enter the process's global symbol scope, where the
 * engine's lazily bound BLAS calls would find it.
 */
class LapackTest {

    private static final String NO_NATIVE = "skipped: no system liblapack.so.3 here (apt-get install "
            + "libopenblas0-pthread); the Java translation serves every call and is tested by SingularValuesTest";

    @Test
    void theNativeBlasStaysOutOfTheGlobalSymbolScope() {
        assumeTrue(Lapack.isNative(), NO_NATIVE);
        double[] a = gaussian(60, 40, 3);
        assertEquals(0, Lapack.dgesdd('N', 60, 40, a, new double[40], null, null));
        // What libtorch_cpu.so's first sgemm_/sgemv_ call would bind to, were these visible: OpenBLAS's
        // thread pool instead of the engine's MKL (see Lapack's class comment).
        for (String symbol : new String[] {"sgemm_", "sgemv_", "dgemm_", "dgesdd_"}) {
            assertFalse(Lapack.globallyVisible(symbol), symbol + " from " + Lapack.implementation()
                    + " is in the global symbol scope");
        }
    }

    @Test
    void nativeAndJavaRoutesGiveTheSameThinSvd() {
        assumeTrue(Lapack.isNative(), NO_NATIVE);
        for (int[] shape : new int[][] {{50, 30}, {30, 50}}) {
            int m = shape[0];
            int n = shape[1];
            int k = Math.min(m, n);
            double[] a = gaussian(m, n, 11);
            double[][] nativeOut = {a.clone(), new double[k], new double[m * k], new double[k * n]};
            double[][] javaOut = {a.clone(), new double[k], new double[m * k], new double[k * n]};
            assertEquals(0, Lapack.nativeDgesdd('S', m, n, nativeOut[0], nativeOut[1], nativeOut[2], m, nativeOut[3], k));
            assertEquals(0, Lapack.javaDgesdd('S', m, n, javaOut[0], javaOut[1], javaOut[2], m, javaOut[3], k));
            assertArrayEquals(javaOut[1], nativeOut[1], 1e-10, "singular values, " + m + "×" + n);
            // U·diag(σ)·Vᵀ rebuilds A (column-major) on the native route; signs of vectors may differ between routes.
            double[] u = nativeOut[2];
            double[] vt = nativeOut[3];
            double[] s = nativeOut[1];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double sum = 0;
                    for (int p = 0; p < k; p++) {
                        sum += u[p * m + i] * s[p] * vt[j * k + p];
                    }
                    assertEquals(a[j * m + i], sum, 1e-10, "A[" + i + "," + j + "]");
                }
            }
        }
    }

    @Test
    void refusesWrongJobsAndShortArrays() {
        IllegalArgumentException job = assertThrows(IllegalArgumentException.class,
                () -> Lapack.dgesdd('A', 2, 2, new double[4], new double[2], new double[4], new double[4]));
        assertEquals("dgesdd: JOBZ must be 'N' or 'S', not 'A'", job.getMessage());
        IllegalArgumentException shortU = assertThrows(IllegalArgumentException.class,
                () -> Lapack.dgesdd('S', 3, 2, new double[6], new double[2], new double[5], new double[4]));
        assertEquals("dgesdd: U needs 6 values, got 5", shortU.getMessage());
        IllegalArgumentException noA = assertThrows(IllegalArgumentException.class,
                () -> Lapack.dgesdd('N', 3, 2, new double[5], new double[2], null, null));
        assertEquals("dgesdd: A needs 6 values, got 5", noA.getMessage());
    }

    private static double[] gaussian(int m, int n, long seed) {
        Random random = new Random(seed);
        double[] a = new double[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = random.nextGaussian();
        }
        return a;
    }
}
