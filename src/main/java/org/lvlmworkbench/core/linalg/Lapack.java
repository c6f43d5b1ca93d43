package org.lvlmworkbench.core.linalg;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.util.Map;
import org.netlib.lapack.Dgesdd;
import org.netlib.util.intW;

/**
 * LAPACK's {@code dgesdd} (divide-and-conquer SVD, column-major), from the system's
 * {@code liblapack.so.3} (OpenBLAS, MKL, reference LAPACK) when one is installed, else the Java
 * translation that netlib's F2jLAPACK wraps ({@code org.netlib.lapack}). {@link #implementation()} says which.
 *
 * <p><b>Why the system library is opened here, with its symbols kept local, and not through netlib's
 * {@code JNILAPACK}:</b> netlib opens {@code liblapack.so.3} with {@code RTLD_GLOBAL}, which puts its
 * BLAS ({@code libopenblas.so.0}: {@code sgemm_}, {@code sgemv_}, …) in the process's global symbol
 * scope. The engine's {@code libtorch_cpu.so} carries its own BLAS (MKL) but calls it through those
 * same exported names, bound lazily on first call; the JVM opens it with local symbols, so the global
 * scope is searched first and every engine BLAS call bound after netlib's load went to OpenBLAS. Seen
 * with {@code LD_DEBUG=bindings} ({@code binding file libtorch_cpu.so to libopenblas.so.0: normal
 * symbol 'sgemm_'}) after a factorisation, and measured: the float32 GEMMs of a factored model then
 * ran on OpenBLAS's own thread pool, which yield-spun against the engine's OpenMP threads on two
 * cores, and applying and evaluating a plan on the deeper sample took 15.2 s instead of 3.6 s. Opened
 * with {@code RTLD_LAZY} alone (local), the library and its BLAS resolve each other and nothing else
 * sees them.
 *
 * <p>Arrays are copied into native memory for the call and the results copied back (JNA), one extra
 * copy of the matrix for a routine that costs {@code O(mn·min(m, n))}.
 *
 * <p>{@code -Dlvlm.lapack=NAME} opens another library (a file name or path); {@code -Dlvlm.lapack=java}
 * uses the Java port.
 */
public final class Lapack {

    /** The setting: a library to open, or {@code java}. */
    public static final String SETTING = "lvlm.lapack";
    private static final String DEFAULT_LIBRARY = "liblapack.so.3";
    private static final int RTLD_LAZY = 0x1; // and not RTLD_GLOBAL (0x100): see the class comment

    private static final Function NATIVE_DGESDD;
    private static final String IMPLEMENTATION;

    static {
        String wanted = System.getProperty(SETTING, DEFAULT_LIBRARY);
        Function dgesdd = null;
        String implementation = "F2jLAPACK (Java port: no system " + wanted + ")";
        if (wanted.equals("java")) {
            implementation = "F2jLAPACK (Java port: -D" + SETTING + "=java)";
        } else {
            try {
                NativeLibrary library = NativeLibrary.getInstance(wanted, Map.of(Library.OPTION_OPEN_FLAGS, RTLD_LAZY));
                dgesdd = library.getFunction("dgesdd_");
                implementation = "native " + library.getFile();
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                dgesdd = null; // no system LAPACK: the usual case on a fresh machine, and no fault
            }
        }
        NATIVE_DGESDD = dgesdd;
        IMPLEMENTATION = implementation;
    }

    private Lapack() {
    }

    /** Whether a compiled system LAPACK serves {@link #dgesdd}. */
    public static boolean isNative() {
        return NATIVE_DGESDD != null;
    }

    /** Which LAPACK runs: {@code native /path/to/liblapack.so.3} or {@code F2jLAPACK (...)}. */
    public static String implementation() {
        return IMPLEMENTATION;
    }

    /**
     * {@code dgesdd} of the column-major {@code m × n} matrix {@code a} (leading dimension {@code m},
     * overwritten), workspace sized by the routine's own query. {@code jobz} is {@code 'N'} (values
     * only: {@code u} and {@code vt} null) or {@code 'S'} ({@code u} column-major {@code m × k},
     * {@code vt} column-major {@code k × n}, {@code k = min(m, n)}).
     *
     * @return LAPACK's {@code INFO}: 0 on success, {@code > 0} when the bidiagonal SVD did not converge
     * @throws IllegalArgumentException on arrays of the wrong size or a bad argument ({@code INFO < 0})
     */
    public static int dgesdd(char jobz, int m, int n, double[] a, double[] s, double[] u, double[] vt) {
        int k = Math.min(m, n);
        if (jobz != 'N' && jobz != 'S') {
            throw new IllegalArgumentException("dgesdd: JOBZ must be 'N' or 'S', not '" + jobz + "'");
        }
        check(a, (long) m * n, "A");
        check(s, k, "S");
        if (jobz == 'S') {
            check(u, (long) m * k, "U");
            check(vt, (long) k * n, "VT");
        }
        int ldvt = jobz == 'S' ? k : 1;
        int ldu = jobz == 'S' ? m : 1;
        int info = NATIVE_DGESDD != null ? nativeDgesdd(jobz, m, n, a, s, u, ldu, vt, ldvt)
                : javaDgesdd(jobz, m, n, a, s, u, ldu, vt, ldvt);
        if (info < 0) {
            throw new IllegalArgumentException("dgesdd on a " + m + "×" + n + " matrix: bad argument " + -info);
        }
        return info;
    }

    private static void check(double[] array, long size, String name) {
        if (array == null || array.length < size) {
            throw new IllegalArgumentException("dgesdd: " + name + " needs " + size + " values, got "
                    + (array == null ? "none" : array.length));
        }
    }

    static int javaDgesdd(char jobz, int m, int n, double[] a, double[] s, double[] u, int ldu, double[] vt,
            int ldvt) {
        // The f2j translation that netlib's F2jLAPACK wraps, called directly: netlib's LAPACK.getInstance()
        // would first open the native library, globally.
        String job = String.valueOf(jobz);
        double[] uu = u != null ? u : new double[1];
        double[] vv = vt != null ? vt : new double[1];
        int[] iwork = new int[8 * Math.min(m, n)];
        intW info = new intW(0);
        double[] query = new double[1];
        Dgesdd.dgesdd(job, m, n, a, 0, Math.max(1, m), s, 0, uu, 0, ldu, vv, 0, ldvt, query, 0, -1, iwork, 0, info);
        if (info.val != 0) {
            return info.val;
        }
        double[] work = new double[(int) query[0]];
        Dgesdd.dgesdd(job, m, n, a, 0, Math.max(1, m), s, 0, uu, 0, ldu, vv, 0, ldvt, work, 0, work.length, iwork, 0, info);
        return info.val;
    }

    static int nativeDgesdd(char jobz, int m, int n, double[] a, double[] s, double[] u, int ldu, double[] vt,
            int ldvt) {
        int k = Math.min(m, n);
        try (Memory job = new Memory(2);
                Memory ints = new Memory(4 * 8L);
                Memory matrix = new Memory(8L * m * n);
                Memory values = new Memory(8L * Math.max(1, k));
                Memory left = new Memory(8L * (jobz == 'S' ? (long) m * k : 1));
                Memory right = new Memory(8L * (jobz == 'S' ? (long) k * n : 1));
                Memory iwork = new Memory(4L * 8 * Math.max(1, k));
                Memory query = new Memory(8)) {
            job.setByte(0, (byte) jobz);
            job.setByte(1, (byte) 0);
            // ints: M, N, LDA, LDU, LDVT, LWORK, INFO (4 bytes each)
            ints.setInt(0, m);
            ints.setInt(4, n);
            ints.setInt(8, Math.max(1, m));
            ints.setInt(12, ldu);
            ints.setInt(16, ldvt);
            ints.setInt(20, -1);
            ints.setInt(24, 0);
            matrix.write(0, a, 0, Math.multiplyExact(m, n));
            invoke(job, ints, matrix, values, left, right, query, iwork);
            int info = ints.getInt(24);
            if (info != 0) {
                return info;
            }
            long lwork = (long) query.getDouble(0);
            try (Memory work = new Memory(8L * Math.max(1, lwork))) {
                ints.setInt(20, Math.toIntExact(lwork));
                invoke(job, ints, matrix, values, left, right, work, iwork);
            }
            info = ints.getInt(24);
            // As the Java port does, the results are handed back even when INFO is not 0; A is overwritten.
            matrix.read(0, a, 0, Math.multiplyExact(m, n));
            values.read(0, s, 0, k);
            if (jobz == 'S') {
                left.read(0, u, 0, Math.multiplyExact(m, k));
                right.read(0, vt, 0, Math.multiplyExact(k, n));
            }
            return info;
        }
    }

    private static void invoke(Memory job, Memory ints, Memory matrix, Memory values, Memory left, Memory right,
            Memory work, Memory iwork) {
        // DGESDD(JOBZ, M, N, A, LDA, S, U, LDU, VT, LDVT, WORK, LWORK, IWORK, INFO), every argument by
        // reference, then gfortran's hidden length of the character argument JOBZ (a size_t).
        NATIVE_DGESDD.invokeVoid(new Object[] {job, ints.share(0), ints.share(4), matrix, ints.share(8), values, left,
            ints.share(12), right, ints.share(16), work, ints.share(20), iwork, ints.share(24), 1L});
    }

    /** For tests: whether {@code symbol} resolves in the process's global scope (as an engine's lazy binding would see it). */
    static boolean globallyVisible(String symbol) {
        try {
            Pointer p = NativeLibrary.getProcess().getGlobalVariableAddress(symbol);
            return p != null;
        } catch (UnsatisfiedLinkError notFound) {
            return false;
        }
    }
}
