package org.lvlmworkbench.core.linalg;

import java.util.Random;

/**
 * Singular values of a dense real matrix in double precision, largest first, through LAPACK's
 * {@code dgesdd} (values only, {@code JOBZ='N'}) by {@link Lapack}: the system's {@code liblapack.so.3}
 * (OpenBLAS, MKL, reference LAPACK) when one is installed, else netlib's Java port (F2jLAPACK) —
 * {@link #implementation()} says which.
 *
 * <p>Chosen by measurement: seconds for the singular values alone of a Gaussian matrix, one JVM per
 * run, on this project's 2-core machine while a training run shared it (load average 2–8, so ±30 %):
 * <table>
 * <caption>singular values only, seconds</caption>
 * <tr><th>implementation</th><th>1024 × 4096</th><th>4096 × 11008</th></tr>
 * <tr><td>EJML 0.46.1 {@code DecompositionFactory_DDRM.svd(needU=false, needV=false, compact)}</td>
 *     <td>8.5, 10.3</td><td>786</td></tr>
 * <tr><td>EJML threaded, {@code DecompositionFactory_MT_DDRM.svd}</td><td>10.1, 7.1</td><td>—</td></tr>
 * <tr><td>LAPACK {@code dgesdd}, F2jLAPACK (the Java port: no system LAPACK on this machine)</td>
 *     <td>6.0, 5.3</td><td>312, 271</td></tr>
 * <tr><td>LAPACK {@code dgesdd}, JNILAPACK over Debian's {@code libopenblas0-pthread} (installed for
 *     the measurement, then removed)</td><td>1.1</td><td>47</td></tr>
 * <tr><td>for reference: torch 2.13 {@code linalg.svdvals} (MKL), 2 threads, float32 / float64</td>
 *     <td>3.9–4.7 / 18–25</td><td>63 / 72</td></tr>
 * </table>
 * LAPACK's Java port is already 1.6–2.9× faster than EJML, and a machine with a system LAPACK
 * ({@code apt-get install libopenblas0-pthread}) gets the native, threaded routine with no change,
 * another 5–6×, ahead of torch's. A row-major {@code m × n} array is, read column-major,
 * the {@code n × m} transpose: same singular values, so no copy is made to change the layout.
 */
public final class SingularValues {

    private SingularValues() {
    }

    /** The singular values of {@code rowMajor} ({@code rows × cols}, left untouched), descending, {@code min(rows, cols)} of them. */
    public static double[] of(float[] rowMajor, int rows, int cols) {
        Matrices.checkSize(rowMajor, rows, cols, "matrix");
        return destroying(Matrices.widen(rowMajor), rows, cols);
    }

    /** As {@link #of(float[], int, int)}, for a double matrix (left untouched). */
    public static double[] of(double[] rowMajor, int rows, int cols) {
        Matrices.checkSize(rowMajor, rows, cols, "matrix");
        return destroying(rowMajor.clone(), rows, cols);
    }

    /**
     * As {@link #of(double[], int, int)}, overwriting {@code rowMajor} instead of copying it: for the
     * largest matrices, where a second copy would cost hundreds of megabytes.
     */
    public static double[] destroying(double[] rowMajor, int rows, int cols) {
        Matrices.checkSize(rowMajor, rows, cols, "matrix");
        for (double v : rowMajor) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("a " + rows + "×" + cols + " matrix with NaN or infinite entries "
                        + "has no singular values");
            }
        }
        // Column-major view: m = cols rows, n = rows columns, leading dimension cols.
        int m = cols;
        int n = rows;
        double[] s = new double[Math.min(m, n)];
        int info = Lapack.dgesdd('N', m, n, rowMajor, s, null, null);
        if (info != 0) {
            throw new ArithmeticException("LAPACK dgesdd on a " + rows + "×" + cols + " matrix failed (info " + info
                    + ": the bidiagonal SVD did not converge)");
        }
        return s;
    }

    /** The LAPACK in use: the system's native library or F2jLAPACK (the Java port), as {@link Lapack#implementation()}. */
    public static String implementation() {
        return Lapack.implementation();
    }

    /**
     * Seconds that {@link #of(float[], int, int)} takes on a {@code rows × cols} matrix of standard
     * Gaussian values drawn from {@code seed} (generating the matrix is not timed): the benchmark's
     * measure of this class.
     */
    public static double timeSeconds(int rows, int cols, long seed) {
        Random random = new Random(seed);
        float[] a = new float[Math.multiplyExact(rows, cols)];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) random.nextGaussian();
        }
        long start = System.nanoTime();
        of(a, rows, cols);
        return (System.nanoTime() - start) / 1e9;
    }
}
