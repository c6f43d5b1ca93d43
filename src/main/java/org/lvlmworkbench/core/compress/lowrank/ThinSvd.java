package org.lvlmworkbench.core.compress.lowrank;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.lvlmworkbench.core.linalg.Lapack;

/**
 * The thin SVD {@code A = U·diag(σ)·Vᵀ} of a dense row-major {@code rows × cols} matrix in double
 * precision, with vectors: {@code U [rows, r]}, {@code σ [r]} descending, {@code Vᵀ [r, cols]},
 * {@code r = min(rows, cols)}, all row-major.
 *
 * <p>Two implementations, chosen by measurement: seconds for the full thin SVD with both sets of
 * vectors of a standard Gaussian matrix, one JVM after a warm-up, each run on a fresh copy; this
 * project's 2-core machine while a training run and other builds shared it (load average 4–10, so
 * the spread is wide); no system LAPACK is installed, so netlib runs its Java port, F2jLAPACK:
 * <table>
 * <caption>thin SVD with vectors, seconds (two sessions)</caption>
 * <tr><th>implementation</th><th>512 × 1376</th><th>1024 × 2752</th></tr>
 * <tr><td>EJML 0.46.1 {@code DecompositionFactory_DDRM.svd(needU, needV, compact)} + descending sort</td>
 *     <td>1.2, 1.5, 1.7; 1.8, 2.0</td><td>8.8, 9.9, 11.3; 16.4, 19.0, 22.2</td></tr>
 * <tr><td>EJML threaded, {@code DecompositionFactory_MT_DDRM.svd}</td><td>1.3, 1.8</td><td>11.6, 17.7</td></tr>
 * <tr><td>LAPACK {@code dgesdd JOBZ='S'}, F2jLAPACK, tall orientation (as {@link #lapack})</td>
 *     <td>2.2, 2.3, 2.4; 2.6, 3.1</td><td>11.0, 11.9, 13.9; 15.5, 18.6, 23.8</td></tr>
 * <tr><td>LAPACK {@code dgesdd}, F2jLAPACK, wide orientation (explicit transpose)</td><td>1.7, 3.3</td>
 *     <td>18.6, 21.3</td></tr>
 * <tr><td>LAPACK {@code dgesvd JOBU=JOBVT='S'}, F2jLAPACK</td><td>4.3, 7.9</td><td>32.6, 46.3</td></tr>
 * </table>
 * Unlike the values alone ({@link SingularValues}: the Java port 1.6–2.9× ahead of EJML), with vectors
 * the Java port's divide and conquer is no faster than EJML's implicit QR: 1.2–1.6× slower at
 * 512 × 1376, level at 1024 × 2752. So {@link #of} uses EJML unless a native LAPACK is installed
 * (OpenBLAS, MKL: {@link Lapack#isNative()}), where {@code dgesdd} runs compiled and threaded (5–6× the Java
 * port for the values alone, measured in {@link SingularValues}; with vectors not measured here, as
 * this machine has none); EJML is also the fallback should {@code dgesdd} not converge. A row-major
 * {@code A} read column-major is {@code Aᵀ}; LAPACK's {@code U'} and {@code V'ᵀ} of
 * {@code Aᵀ = U'·Σ·V'ᵀ} are {@code V} and {@code Uᵀ} of {@code A}, and read back row-major they are
 * exactly {@code Vᵀ} and {@code U}: no transposing copy is made.
 */
final class ThinSvd {

    final int rows;
    final int cols;
    final int rank;
    /** {@code U}, row-major {@code rows × rank}. */
    final double[] u;
    /** {@code σ}, descending. */
    final double[] sigma;
    /** {@code Vᵀ}, row-major {@code rank × cols}. */
    final double[] vt;

    private ThinSvd(int rows, int cols, double[] u, double[] sigma, double[] vt) {
        this.rows = rows;
        this.cols = cols;
        this.rank = sigma.length;
        this.u = u;
        this.sigma = sigma;
        this.vt = vt;
    }

    /** Whether {@link #of} goes through LAPACK: only where a native (system) LAPACK is installed. */
    static final boolean NATIVE_LAPACK = Lapack.isNative();

    /**
     * The thin SVD of {@code a} (row-major {@code rows × cols}), which is overwritten: a native
     * LAPACK's {@code dgesdd} where one is installed, else EJML (see the measurement above).
     */
    static ThinSvd of(double[] a, int rows, int cols) {
        if (rows < 1 || cols < 1 || (long) rows * cols != a.length) {
            throw new IllegalArgumentException("a " + rows + "×" + cols + " matrix needs " + (long) rows * cols
                    + " values, the array holds " + a.length);
        }
        for (double v : a) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException("a " + rows + "×" + cols + " matrix with NaN or infinite entries "
                        + "has no SVD");
            }
        }
        if (!NATIVE_LAPACK) {
            return ejml(a, rows, cols);
        }
        double[] copy = a.clone(); // dgesdd overwrites its input even when it fails
        ThinSvd lapack = lapack(a, rows, cols);
        return lapack != null ? lapack : ejml(copy, rows, cols);
    }

    /** {@code dgesdd}, or null when it does not converge. */
    static ThinSvd lapack(double[] a, int rows, int cols) {
        // Column-major view: the transpose, m = cols rows and n = rows columns.
        int m = cols;
        int n = rows;
        int k = Math.min(m, n);
        double[] s = new double[k];
        double[] uPrime = new double[m * k]; // column-major m × k: row-major k × cols, i.e. Vᵀ of A
        double[] vtPrime = new double[k * n]; // column-major k × n: row-major rows × k, i.e. U of A
        int info = Lapack.dgesdd('S', m, n, a, s, uPrime, vtPrime);
        if (info > 0) {
            return null;
        }
        return new ThinSvd(rows, cols, vtPrime, s, uPrime);
    }

    /** EJML's SVD, sorted descending. */
    static ThinSvd ejml(double[] a, int rows, int cols) {
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, cols, true, true, true);
        if (!svd.decompose(DMatrixRMaj.wrap(rows, cols, a))) {
            throw new ArithmeticException("SVD of a " + rows + "×" + cols + " matrix did not converge");
        }
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj w = svd.getW(null);
        DMatrixRMaj vt = svd.getV(null, true);
        SingularOps_DDRM.descendingOrder(u, false, w, vt, true);
        int k = Math.min(rows, cols);
        double[] sigma = new double[k];
        for (int i = 0; i < k; i++) {
            sigma[i] = w.get(i, i);
        }
        // Compact: U rows × k and Vᵀ k × cols already.
        return new ThinSvd(rows, cols, u.data, sigma, vt.data);
    }
}
