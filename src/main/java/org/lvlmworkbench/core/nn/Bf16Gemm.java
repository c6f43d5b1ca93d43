package org.lvlmworkbench.core.nn;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_ab;
import static org.bytedeco.dnnl.global.dnnl.dnnl_ba;
import static org.bytedeco.dnnl.global.dnnl.dnnl_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu_isa_avx512_core_bf16;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_get_effective_cpu_isa;
import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.Pointer;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * The GEMM of a prefill over a BF16 weight, in bfloat16, by oneDNN (through JavaCPP's maintained
 * binding): {@code y = bf16(x) · Wᵀ}, float32 accumulation and output, the weight read in place
 * from the checkpoint's mapping.
 *
 * <p>Why: the engine (DJL 0.35.1's PyTorch) cannot hold a bfloat16 tensor, so a BF16 checkpoint's
 * prefill used to widen each weight into float32 and run an f32 GEMM. On a CPU with native bf16
 * dot products (AVX512-BF16, AMX) oneDNN's bf16 matmul is about three times the f32 rate, measured
 * on this project's two-core machine: 385 against 115–136 GFLOP/s for a 586×2048·2048×5632
 * product. The rounding is the one transformers applies when it computes in bf16 (every GEMM input
 * rounded to nearest-even bf16), and less: the output stays float32, and so does everything
 * between GEMMs. The widening path stays the reference ({@code -Dlvlm.prefillGemm=f32}).
 *
 * <p>{@code -Dlvlm.prefillGemm=auto} (the default) uses this where oneDNN loads and the CPU has
 * native bf16; {@code bf16} forces it wherever oneDNN loads (emulated bf16 is slow); {@code f32}
 * never uses it (the reference path, exact widening and float32 products). {@link #status()} says
 * which and why, for the model card and the bench.
 */
public final class Bf16Gemm {

    /** The setting's name; read at each GEMM, so a test or a view can switch paths on an open model. */
    public static final String SETTING = "lvlm.prefillGemm";
    private static final int CACHED_PRIMITIVES = 64;
    private static final AtomicBoolean WARMING = new AtomicBoolean();

    private static volatile Backend backend;

    private Bf16Gemm() {
    }

    /** Whether prefill GEMMs over BF16 weights run here now. Loads oneDNN on first call (about 0.5 s). */
    public static boolean enabled() {
        String mode = mode();
        if (mode.equals("f32")) {
            return false;
        }
        Backend b = backend();
        if (mode.equals("bf16") && b.engine == null) {
            throw new IllegalStateException("-D" + SETTING + "=bf16, but " + b.status);
        }
        return b.engine != null && (b.nativeBf16 || mode.equals("bf16"));
    }

    /** Whether oneDNN loads here and can plan a bf16 matmul on this CPU (whatever the setting). */
    public static boolean available() {
        return backend().engine != null;
    }

    /** One line: which GEMM a BF16 prefill uses now, and why. */
    public static String status() {
        String mode = mode();
        if (mode.equals("f32")) {
            return "widened to float32, engine GEMM (-D" + SETTING + "=f32)";
        }
        Backend b = backend();
        if (b.engine == null) {
            return "widened to float32, engine GEMM (" + b.status + ")";
        }
        if (!b.nativeBf16 && mode.equals("auto")) {
            return "widened to float32, engine GEMM (this CPU has no native bf16 dot product; -D" + SETTING
                    + "=bf16 forces oneDNN's slower emulation)";
        }
        return "bf16 × bf16 → f32 by oneDNN (" + b.status + ")";
    }

    private static String mode() {
        String mode = System.getProperty(SETTING, "auto");
        if (!mode.equals("auto") && !mode.equals("bf16") && !mode.equals("f32")) {
            throw new IllegalArgumentException("-D" + SETTING + " must be auto, bf16 or f32, not '" + mode + "'");
        }
        return mode;
    }

    /** Starts loading oneDNN on a background thread, so that the first prefill does not wait for it. */
    public static void warmUpInBackground() {
        if (backend != null || "f32".equals(System.getProperty(SETTING)) || !WARMING.compareAndSet(false, true)) {
            return;
        }
        Thread t = new Thread(Bf16Gemm::backend, "onednn-load");
        t.setDaemon(true);
        t.start();
    }

    private static Backend backend() {
        Backend b = backend;
        if (b == null) {
            synchronized (Bf16Gemm.class) {
                b = backend;
                if (b == null) {
                    b = Backend.open();
                    backend = b;
                }
            }
        }
        return b;
    }

    /**
     * {@code x} ({@code [..., K]}, float32) times {@code weight}ᵀ ({@code weight} {@code [N, K]}, BF16):
     * a new float32 array {@code [..., N]} of {@code x}'s manager.
     */
    static NDArray multiply(NDArray x, MappedMatrix weight) {
        if (weight.dtype() != DType.BF16) {
            throw new IllegalArgumentException(weight.name() + " is " + weight.dtype() + ", not BF16");
        }
        Backend b = backend();
        if (b.engine == null) {
            throw new IllegalStateException("the oneDNN bf16 GEMM is not available: " + b.status);
        }
        Shape shape = x.getShape();
        long k = weight.cols();
        long n = weight.rows();
        long m = shape.size() / k;
        Shape outShape = shape.slice(0, shape.dimension() - 1).add(n);
        Scratch s = Scratch.of(m * k * 2, m * n * 4);
        // [..., K] float32 → [M, K] bf16, rounded to nearest-even as torch's .to(bfloat16) does. The
        // input is read in place (a direct view of the tensor): DJL's default toByteBuffer() copies into
        // a fresh Java array, which for a prefill churned gigabytes through the heap and grew its RSS.
        ByteBuffer input = x.toType(DataType.FLOAT32, false).toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
        HalfKernels.narrowToBf16(input, s.source, m * k);
        b.execute(m, k, n, s.source, weight.buffer(), s.destination);
        NDManager manager = x.getManager();
        // The engine wraps the reused output buffer; its own copy is returned, the wrapper closed.
        try (NDArray wrapped = manager.create(s.destination.slice(0, Math.toIntExact(m * n * 4))
                .order(ByteOrder.nativeOrder()), outShape, DataType.FLOAT32)) {
            return wrapped.duplicate();
        }
    }

    /** The per-thread input and output buffers, grown as needed and reused. */
    private static final class Scratch {
        private static final ThreadLocal<Scratch> MINE = ThreadLocal.withInitial(Scratch::new);
        ByteBuffer source = ByteBuffer.allocateDirect(0);
        ByteBuffer destination = ByteBuffer.allocateDirect(0);

        static Scratch of(long sourceBytes, long destinationBytes) {
            Scratch s = MINE.get();
            if (s.source.capacity() < sourceBytes) {
                s.source = ByteBuffer.allocateDirect(Math.toIntExact(sourceBytes)).order(ByteOrder.LITTLE_ENDIAN);
            }
            if (s.destination.capacity() < destinationBytes) {
                s.destination = ByteBuffer.allocateDirect(Math.toIntExact(destinationBytes))
                        .order(ByteOrder.LITTLE_ENDIAN);
            }
            return s;
        }
    }

    /** oneDNN's engine, one stream per thread, and the matmul primitives made so far, by shape. */
    private static final class Backend {
        final boolean nativeBf16;
        final String status;
        final dnnl_engine engine;
        private final ThreadLocal<dnnl_stream> streams;
        private final Map<String, Primitive> primitives = new LinkedHashMap<>(16, 0.75f, true);

        private Backend(boolean nativeBf16, String status, dnnl_engine engine) {
            this.nativeBf16 = nativeBf16;
            this.status = status;
            this.engine = engine;
            this.streams = ThreadLocal.withInitial(() -> {
                dnnl_stream s = new dnnl_stream();
                check(dnnl_stream_create(s, engine, dnnl_stream_default_flags), "creating a stream");
                return s;
            });
        }

        static Backend open() {
            try {
                dnnl_engine engine = new dnnl_engine();
                check(dnnl_engine_create(engine, dnnl_cpu, 0), "creating the CPU engine");
                int isa = dnnl_get_effective_cpu_isa();
                try {
                    // oneDNN plans bf16 matmuls only from AVX-512 up (natively or emulated); an AVX2-only CPU
                    // (e.g. some AMD EPYC) refuses to plan one, so the widening path serves every prefill there.
                    new Primitive(engine, 2, 2, 2).close();
                } catch (IllegalStateException noBf16) {
                    org.bytedeco.dnnl.global.dnnl.dnnl_engine_destroy(engine);
                    return new Backend(false, "oneDNN has no bf16 matmul on this CPU (it needs AVX-512; "
                            + noBf16.getMessage() + ")", null);
                }
                boolean nativeBf16 = (isa & dnnl_cpu_isa_avx512_core_bf16) == dnnl_cpu_isa_avx512_core_bf16;
                return new Backend(nativeBf16, nativeBf16 ? "native bf16 dot products" : "emulated bf16", engine);
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError | IllegalStateException e) {
                return new Backend(false, "oneDNN does not load here: " + e, null);
            }
        }

        void execute(long m, long k, long n, ByteBuffer source, ByteBuffer weight, ByteBuffer destination) {
            Primitive p = primitive(m, k, n);
            dnnl_memory src = new dnnl_memory();
            dnnl_memory wei = new dnnl_memory();
            dnnl_memory dst = new dnnl_memory();
            try {
                check(dnnl_memory_create(src, p.source, engine, new Pointer(source)), "wrapping the input");
                check(dnnl_memory_create(wei, p.weights, engine, new Pointer(weight)), "wrapping the weight");
                check(dnnl_memory_create(dst, p.destination, engine, new Pointer(destination)), "wrapping the output");
                try (dnnl_exec_arg_t args = new dnnl_exec_arg_t(3)) {
                    args.position(0).arg(DNNL_ARG_SRC).memory(src);
                    args.position(1).arg(DNNL_ARG_WEIGHTS).memory(wei);
                    args.position(2).arg(DNNL_ARG_DST).memory(dst);
                    args.position(0);
                    dnnl_stream stream = streams.get();
                    check(dnnl_primitive_execute(p.primitive, stream, 3, args), "running the matmul");
                    check(dnnl_stream_wait(stream), "waiting for the matmul");
                }
            } finally {
                dnnl_memory_destroy(src);
                dnnl_memory_destroy(wei);
                dnnl_memory_destroy(dst);
            }
        }

        private synchronized Primitive primitive(long m, long k, long n) {
            String key = m + "x" + k + "x" + n;
            Primitive p = primitives.get(key);
            if (p == null) {
                p = new Primitive(engine, m, k, n);
                primitives.put(key, p);
                if (primitives.size() > CACHED_PRIMITIVES) {
                    // Least recently used first: a prompt length seen once does not keep its primitive.
                    var eldest = primitives.entrySet().iterator();
                    eldest.next().getValue().close();
                    eldest.remove();
                }
            }
            return p;
        }
    }

    /** A matmul {@code [M, K] bf16 · [K, N] bf16 → [M, N] f32}, the weight read as the transpose of {@code [N, K]}. */
    private static final class Primitive {
        final dnnl_memory_desc source = new dnnl_memory_desc();
        final dnnl_memory_desc weights = new dnnl_memory_desc();
        final dnnl_memory_desc destination = new dnnl_memory_desc();
        final dnnl_primitive_desc descriptor = new dnnl_primitive_desc();
        final dnnl_primitive primitive = new dnnl_primitive();

        Primitive(dnnl_engine engine, long m, long k, long n) {
            check(dnnl_memory_desc_create_with_tag(source, 2, new long[] {m, k}, dnnl_bf16, dnnl_ab), "describing the input");
            // The checkpoint's [N, K] row-major weight is the [K, N] operand in column-major ("ba") order.
            check(dnnl_memory_desc_create_with_tag(weights, 2, new long[] {k, n}, dnnl_bf16, dnnl_ba), "describing the weight");
            check(dnnl_memory_desc_create_with_tag(destination, 2, new long[] {m, n}, dnnl_f32, dnnl_ab), "describing the output");
            check(dnnl_matmul_primitive_desc_create(descriptor, engine, source, weights, null, destination, null),
                    "planning a " + m + "×" + k + "·" + k + "×" + n + " bf16 matmul");
            check(dnnl_primitive_create(primitive, descriptor), "creating the matmul");
        }

        void close() {
            org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy(primitive);
            dnnl_primitive_desc_destroy(descriptor);
            dnnl_memory_desc_destroy(source);
            dnnl_memory_desc_destroy(weights);
            dnnl_memory_desc_destroy(destination);
        }
    }

    private static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN failed " + what + " (status " + status + ")");
        }
    }
}
