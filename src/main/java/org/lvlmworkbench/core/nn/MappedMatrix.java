package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.stream.IntStream;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * A {@code [rows, cols]} weight matrix read straight from the checkpoint's memory mapping, in its
 * stored precision (F32, BF16 or F16): nothing is copied at load, and the operating system pages it
 * in (and may page it out) like any file. Compute is float32: 16-bit values are widened exactly
 * where they are used.
 *
 * <p>Work is split over the machine's cores in contiguous blocks of rows; the SIMD kernels of
 * {@link HalfKernels} run where the JDK's Vector API module is present ({@code --add-modules
 * jdk.incubator.vector}, as {@code bin/lvlm} and the tests start the JVM), a scalar loop otherwise.
 */
public final class MappedMatrix {

    private static final ThreadLocal<float[][]> SPLIT = ThreadLocal.withInitial(() -> new float[][] {new float[0],
        new float[0]});

    /** Whether the SIMD kernels can run in this JVM. */
    static final boolean SIMD = simdAvailable();

    private final String name;
    private final ByteBuffer data;
    private final DType dtype;
    private final int rows;
    private final int cols;

    public MappedMatrix(String name, ByteBuffer data, DType dtype, long rows, long cols) {
        if (dtype != DType.BF16 && dtype != DType.F16 && dtype != DType.F32) {
            throw new IllegalArgumentException(name + ": only F32, BF16 and F16 matrices are mapped, got " + dtype);
        }
        int width = dtype == DType.F32 ? 4 : 2;
        if (data.capacity() != rows * cols * width) {
            throw new IllegalArgumentException(name + ": " + data.capacity() + " bytes do not hold " + rows + "×" + cols
                    + " " + dtype + " values");
        }
        this.name = name;
        this.data = data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.dtype = dtype;
        this.rows = Math.toIntExact(rows);
        this.cols = Math.toIntExact(cols);
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return dtype;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public long bytes() {
        return (dtype == DType.F32 ? 4L : 2L) * rows * cols;
    }

    private static boolean simdAvailable() {
        if (Boolean.getBoolean("lvlm.noSimd")) {
            return false;
        }
        try {
            return HalfKernels.lanes() > 1;
        } catch (LinkageError absent) {
            return false;
        }
    }

    /**
     * {@code y[r·rows + o] = Σ_i W[o, i] · x[r·cols + i]} for each of the {@code n} vectors in
     * {@code x}: the matrix-vector product of a decoding step, weights streamed once per vector.
     */
    public void multiply(float[] x, int n, float[] y) {
        if (dtype == DType.F32) {
            multiplyF32(x, n, y);
            return;
        }
        int half = cols / 2;
        boolean odd = cols % 2 != 0;
        float[][] split = SPLIT.get();
        if (split[0].length < half) {
            split[0] = new float[half];
            split[1] = new float[half];
        }
        // Reused across calls: a decoding step makes hundreds of these products, garbage would grow the heap.
        float[] even = split[0];
        float[] oddPart = split[1];
        for (int r = 0; r < n; r++) {
            int base = r * cols;
            for (int k = 0; k < half; k++) {
                even[k] = x[base + 2 * k];
                oddPart[k] = x[base + 2 * k + 1];
            }
            float last = odd ? x[base + cols - 1] : 0;
            int out = r * rows;
            parallelRows(rows, (from, to) -> {
                for (int o = from; o < to; o++) {
                    long offset = 2L * o * cols;
                    float s = SIMD ? HalfKernels.dot(data, offset, dtype, even, oddPart, half)
                            : scalarDot(offset, even, oddPart, half);
                    if (odd) {
                        s += HalfKernels.widen(data.getShort((int) (offset + 2L * (cols - 1))) & 0xFFFF, dtype) * last;
                    }
                    y[out + o] = s;
                }
            });
        }
    }

    private void multiplyF32(float[] x, int n, float[] y) {
        for (int r = 0; r < n; r++) {
            float[] row = java.util.Arrays.copyOfRange(x, r * cols, (r + 1) * cols);
            int out = r * rows;
            parallelRows(rows, (from, to) -> {
                for (int o = from; o < to; o++) {
                    long offset = 4L * o * cols;
                    float s;
                    if (SIMD) {
                        s = HalfKernels.dotF32(data, offset, row, cols);
                    } else {
                        s = 0;
                        for (int i = 0; i < cols; i++) {
                            s += data.getFloat((int) (offset + 4L * i)) * row[i];
                        }
                    }
                    y[out + o] = s;
                }
            });
        }
    }

    private float scalarDot(long offset, float[] even, float[] odd, int half) {
        float s = 0;
        for (int k = 0; k < half; k++) {
            int pair = data.getInt((int) (offset + 4L * k));
            s += HalfKernels.widen(pair & 0xFFFF, dtype) * even[k] + HalfKernels.widen(pair >>> 16, dtype) * odd[k];
        }
        return s;
    }

    /** Widens the whole matrix, row-major, into {@code dst} (little-endian float32, from position 0). */
    public void widenInto(ByteBuffer dst) {
        parallelRows(rows, (from, to) -> widenRows(from, to, dst, 4L * from * cols));
    }

    /** The whole matrix as a new row-major Java array, widened exactly. */
    public float[] toFloatArray() {
        long n = (long) rows * cols;
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException(name + ": " + rows + "×" + cols + " does not fit one Java array");
        }
        float[] out = new float[(int) n];
        if (dtype == DType.F32) {
            data.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return out;
        }
        // Straight into the array: no float32 staging buffer beside it.
        parallelRows(rows, (from, to) -> {
            for (int i = from * cols; i < to * cols; i++) {
                out[i] = HalfKernels.widen(data.getShort(2 * i) & 0xFFFF, dtype);
            }
        });
        return out;
    }

    /** The whole matrix as a new float32 array of {@code manager}, named after the weight. */
    public NDArray widened(NDManager manager) {
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(4L * rows * cols)).order(ByteOrder.LITTLE_ENDIAN);
        widenInto(b);
        NDArray a = manager.create(b, new Shape(rows, cols), DataType.FLOAT32);
        a.setName(name);
        return a;
    }

    /** Widens rows {@code ids[j]} into consecutive rows of {@code dst} (a gather: token embeddings). */
    public void gatherInto(long[] ids, ByteBuffer dst) {
        for (int j = 0; j < ids.length; j++) {
            long id = ids[j];
            if (id < 0 || id >= rows) {
                throw new IndexOutOfBoundsException(name + ": row " + id + " is outside 0.." + (rows - 1));
            }
            widenRows((int) id, (int) id + 1, dst, 4L * j * cols);
        }
    }

    private void widenRows(int from, int to, ByteBuffer dst, long dstOffset) {
        ByteBuffer out = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long count = (long) (to - from) * cols;
        if (dtype == DType.F32) {
            ByteBuffer src = data.duplicate();
            src.position((int) (4L * from * cols)).limit((int) (4L * to * cols));
            out.position((int) dstOffset);
            out.put(src);
        } else if (SIMD) {
            HalfKernels.widen(data, 2L * from * cols, dtype, out, dstOffset, count);
        } else {
            for (long i = 0; i < count; i++) {
                out.putFloat((int) (dstOffset + 4 * i),
                        HalfKernels.widen(data.getShort((int) (2L * from * cols + 2 * i)) & 0xFFFF, dtype));
            }
        }
    }

    /** The mapping itself, row-major in the stored precision, read-only (for native kernels). */
    ByteBuffer buffer() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The stored 16 bits of element {@code (row, col)}. */
    int rawBits(int row, int col) {
        return data.getShort((int) (2L * ((long) row * cols + col))) & 0xFFFF;
    }

    /** How many values are NaN ({@code [0]}) and infinite ({@code [1]}); a plain loop, for the rare matrix that has any. */
    public long[] countNonFinite() {
        long nan = 0;
        long inf = 0;
        long n = (long) rows * cols;
        for (long i = 0; i < n; i++) {
            float v = dtype == DType.F32 ? data.getFloat((int) (4 * i))
                    : HalfKernels.widen(data.getShort((int) (2 * i)) & 0xFFFF, dtype);
            if (Float.isNaN(v)) {
                nan++;
            } else if (Float.isInfinite(v)) {
                inf++;
            }
        }
        return new long[] {nan, inf};
    }

    /** Whether any value is NaN or infinite; reads every byte once. */
    public boolean anyNonFinite() {
        boolean[] found = new boolean[1];
        parallelRows(rows, (from, to) -> {
            long count = (long) (to - from) * cols;
            if (dtype == DType.F32) {
                long start = 4L * from * cols;
                boolean bad = false;
                if (SIMD) {
                    bad = HalfKernels.anyNonFiniteF32(data, start, count);
                } else {
                    for (long i = 0; i < count && !bad; i++) {
                        bad = (data.getInt((int) (start + 4 * i)) & 0x7F800000) == 0x7F800000;
                    }
                }
                if (bad) {
                    found[0] = true;
                }
                return;
            }
            long start = 2L * from * cols;
            boolean bad;
            if (SIMD) {
                bad = HalfKernels.anyNonFinite(data, start, dtype, count);
            } else {
                bad = false;
                int exponent = dtype == DType.BF16 ? 0x7F80 : 0x7C00;
                for (long i = 0; i < count && !bad; i++) {
                    bad = (data.getShort((int) (start + 2 * i)) & exponent) == exponent;
                }
            }
            if (bad) {
                found[0] = true;
            }
        });
        return found[0];
    }

    interface RowRange {
        void run(int from, int to);
    }

    /** Splits {@code [0, n)} into a few blocks per core and runs them on the common pool. */
    static void parallelRows(int n, RowRange body) {
        int workers = Runtime.getRuntime().availableProcessors();
        int blocks = n < 64 ? 1 : Math.min(n, 4 * workers);
        if (blocks == 1) {
            body.run(0, n);
            return;
        }
        IntStream.range(0, blocks).parallel().forEach(b -> body.run((int) ((long) n * b / blocks),
                (int) ((long) n * (b + 1) / blocks)));
    }
}
