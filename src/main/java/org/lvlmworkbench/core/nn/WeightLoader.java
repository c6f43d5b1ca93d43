package org.lvlmworkbench.core.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.TensorEntry;

/**
 * Reads named tensors from a checkpoint, checking each against the shape the configuration implies,
 * and remembers what it loaded, in order and under the checkpoint's own names, so training and
 * export see the same tensors. Weight matrices ({@link #matrix}, {@link #linear}) are read from the
 * file's mapping in their stored precision where {@link #mapsMatrices} says so; every other tensor
 * ({@link #load}) becomes a float32 array on the compute device.
 *
 * <p>Every tensor is checked for NaN and infinite values: arrays as they load (one sum each; exact
 * counts only when the sum is not finite), mapped matrices by a SIMD scan that a model loader may
 * defer past loading ({@link #collecting}). Such a tensor still loads, since a user may be
 * inspecting a broken checkpoint, but a warning naming the file and the tensor is recorded: on this
 * loader's {@link #warnings()} and in the list a caller installed with {@link #collectingWarnings}.
 */
public final class WeightLoader {

    private static final ThreadLocal<List<String>> WARNING_SINK = new ThreadLocal<>();
    private static final ThreadLocal<List<Runnable>> DEFERRED_SCANS = new ThreadLocal<>();

    private final Checkpoint checkpoint;
    private final NDManager manager;
    private final Map<String, NDArray> loaded = new LinkedHashMap<>();
    private final Map<String, DType> storedTypes = new LinkedHashMap<>();
    private final Map<String, MappedMatrix> reduced = new LinkedHashMap<>();
    private final Map<String, Long> sizes = new LinkedHashMap<>();
    private final List<String> warnings = Collections.synchronizedList(new ArrayList<>());

    public WeightLoader(Checkpoint checkpoint, NDManager manager) {
        this.checkpoint = checkpoint;
        this.manager = manager;
    }

    public boolean has(String name) {
        return checkpoint.contains(name);
    }

    public Device device() {
        return manager.getDevice();
    }

    public NDArray load(String name, long... expectedShape) {
        NDArray array = loadUnchecked(name, check(name, expectedShape));
        checkFinite(name, array);
        return array;
    }

    /**
     * Checks a mapped matrix for NaN and infinite values: now, or, while a model loader collects
     * deferred scans ({@link #collecting}), after loading returns, so that opening a large model
     * does not wait for every byte of its weights to be read.
     */
    private void scan(MappedMatrix m) {
        List<String> sink = WARNING_SINK.get();
        Runnable check = () -> {
            if (m.anyNonFinite()) {
                long[] counts = m.countNonFinite();
                String warning = warning(m.name(), "has " + describe(counts[0], counts[1]) + " among "
                        + String.format("%,d", (long) m.rows() * m.cols()) + " values");
                warnings.add(warning);
                if (sink != null) {
                    sink.add(warning);
                }
            }
        };
        List<Runnable> deferred = DEFERRED_SCANS.get();
        if (deferred != null) {
            deferred.add(check);
        } else {
            check.run();
        }
    }

    private NDArray loadUnchecked(String name, TensorEntry entry) {
        NDArray array;
        boolean directF32 = entry.dtype() == DType.F32 || entry.dtype() == DType.BF16;
        if (directF32 && manager.getDevice().equals(Device.cpu())) {
            // F32 keeps the copy-on-write map, copying nothing; BF16 arrives already widened into a
            // buffer of its own. Either way the array holds its buffer, which lives as long as it.
            array = checkpoint.load(name, manager);
        } else {
            try (NDManager staging = manager.newSubManager(Device.cpu())) {
                NDArray mapped = checkpoint.load(name, staging);
                // A different dtype or device always yields new storage, so nothing points into the map.
                array = mapped.toType(DataType.FLOAT32, false).toDevice(manager.getDevice(), false);
                if (array == mapped) {
                    array = mapped.duplicate();
                }
                array.attach(manager);
            }
        }
        array.setName(name);
        loaded.put(name, array);
        storedTypes.put(name, entry.dtype());
        sizes.put(name, array.size());
        return array;
    }

    /**
     * Whether weight matrices are read from the checkpoint's mapping by the Java kernels (16-bit ones
     * kept in their stored precision, float32 ones given the decode kernel too): on the CPU, unless
     * {@code -Dlvlm.weights=f32} asks for the float32 reference path (every 16-bit weight widened at
     * load, the engine's own kernels throughout). The memory budget applies the same rule.
     */
    public static boolean mapsMatrices(Device device) {
        return device.equals(Device.cpu()) && !"f32".equalsIgnoreCase(System.getProperty("lvlm.weights", "reduced"));
    }

    /** Whether a 16-bit matrix stays in its stored precision (see {@link #mapsMatrices}). */
    public boolean keepsReduced(DType stored) {
        return (stored == DType.BF16 || stored == DType.F16) && mapsMatrices(manager.getDevice());
    }

    /**
     * A {@code [rows, cols]} weight: kept in its stored 16-bit precision straight from the mapping when
     * {@link #keepsReduced} says so, else loaded as a float32 array.
     */
    public LinearMap matrix(String name, long rows, long cols) {
        var entry = check(name, rows, cols);
        if (entry.dtype() == DType.F32 && mapsMatrices(manager.getDevice())) {
            // The engine array and the decode kernel read one and the same mapping: two mappings of a
            // file would each count its pages, doubling the resident size.
            ByteBuffer bytes = checkpoint.bytes(name);
            MappedMatrix m = new MappedMatrix(name, bytes, DType.F32, rows, cols);
            NDArray view = manager.create(bytes.duplicate().order(ByteOrder.nativeOrder()), new Shape(rows, cols),
                    DataType.FLOAT32);
            view.setName(name);
            loaded.put(name, view);
            storedTypes.put(name, entry.dtype());
            sizes.put(name, rows * cols);
            scan(m);
            return new MappedLinear(m, null, view);
        }
        if (!keepsReduced(entry.dtype())) {
            return new Linear(load(name, rows, cols), null);
        }
        MappedMatrix m = new MappedMatrix(name, checkpoint.readOnlyBytes(name), entry.dtype(), rows, cols);
        scan(m);
        reduced.put(name, m);
        storedTypes.put(name, entry.dtype());
        sizes.put(name, rows * cols);
        return new MappedLinear(m, null);
    }

    private TensorEntry check(String name, long... expectedShape) {
        if (!checkpoint.contains(name)) {
            throw new WeightException(checkpoint.folder(), name, "missing from the checkpoint (expected shape "
                    + Arrays.toString(expectedShape) + ")");
        }
        var entry = checkpoint.entry(name);
        if (!Arrays.equals(entry.shape(), expectedShape)) {
            throw new WeightException(checkpoint.folder(), name, "has shape " + Arrays.toString(entry.shape())
                    + " but the configuration implies " + Arrays.toString(expectedShape));
        }
        if (!entry.dtype().isFloatingPoint()) {
            throw new WeightException(checkpoint.folder(), name, "has dtype " + entry.dtype() + ", expected a float type");
        }
        return entry;
    }

    /** Loads {@code name} if present; null otherwise (optional biases). */
    public NDArray loadOptional(String name, long... expectedShape) {
        return has(name) ? load(name, expectedShape) : null;
    }


    /**
     * The affine map {@code name.weight} ({@code [out, in]}) plus {@code name.bias} when {@code bias};
     * a 16-bit weight stays reduced (see {@link #keepsReduced}), the bias is always float32.
     */
    public LinearMap linear(String name, long out, long in, boolean bias) {
        if (!has(name + ".weight") && has(name + ".down.weight")) {
            return factored(name, out, in, bias);
        }
        LinearMap weight = matrix(name + ".weight", out, in);
        NDArray b = bias ? load(name + ".bias", out) : null;
        return weight instanceof MappedLinear r ? r.withBias(b) : new Linear(((Linear) weight).weight(), b);
    }

    /**
     * A low-rank map stored as {@code name.down.weight [rank, in]} and {@code name.up.weight [out, rank]}
     * (see {@link FactoredLinear}); the rank is read from the down factor and the up factor must agree.
     */
    private LinearMap factored(String name, long out, long in, boolean bias) {
        long[] downShape = checkpoint.entry(name + ".down.weight").shape();
        if (downShape.length != 2 || downShape[1] != in || downShape[0] < 1) {
            throw new WeightException(checkpoint.folder(), name + ".down.weight", "has shape "
                    + Arrays.toString(downShape) + " but a factor of a [" + out + ", " + in + "] map must be [rank, " + in + "]");
        }
        long rank = downShape[0];
        LinearMap down = matrix(name + ".down.weight", rank, in);
        LinearMap up = matrix(name + ".up.weight", out, rank);
        NDArray b = bias ? load(name + ".bias", out) : null;
        return new FactoredLinear(down, up, b);
    }

    /** Every float32 tensor loaded so far, in load order, under its checkpoint name. */
    public Map<String, NDArray> loaded() {
        return Collections.unmodifiableMap(loaded);
    }

    /** Every matrix kept in 16-bit precision, in load order, under its checkpoint name. */
    public Map<String, MappedMatrix> reduced() {
        return Collections.unmodifiableMap(reduced);
    }

    /** Element counts of every tensor loaded so far, float32 or reduced, in load order. */
    public Map<String, Long> sizes() {
        return Collections.unmodifiableMap(sizes);
    }

    public Map<String, DType> storedTypes() {
        return Collections.unmodifiableMap(storedTypes);
    }

    /** Warnings about the tensors loaded so far (non-finite values), each naming the file and the tensor. */
    public List<String> warnings() {
        return Collections.unmodifiableList(warnings);
    }

    /**
     * Runs {@code body} (typically an architecture family building a model) with the warnings of
     * every WeightLoader it uses on this thread also added to {@code sink}; the model loader collects
     * them this way without each family having to pass its loader back.
     */
    public static <T> T collectingWarnings(List<String> sink, Supplier<T> body) {
        return collecting(sink, null, body);
    }

    /**
     * {@link #collectingWarnings}, and the NaN/Inf scans of mapped matrices are not run but added to
     * {@code deferredScans} (when not null), for the caller to run after loading: each adds its
     * warning to {@code sink}, which must then be safe to add to from another thread.
     */
    public static <T> T collecting(List<String> sink, List<Runnable> deferredScans, Supplier<T> body) {
        List<String> previous = WARNING_SINK.get();
        List<Runnable> previousScans = DEFERRED_SCANS.get();
        WARNING_SINK.set(sink);
        DEFERRED_SCANS.set(deferredScans);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                WARNING_SINK.remove();
            } else {
                WARNING_SINK.set(previous);
            }
            if (previousScans == null) {
                DEFERRED_SCANS.remove();
            } else {
                DEFERRED_SCANS.set(previousScans);
            }
        }
    }

    /**
     * Warns when {@code array} holds NaN or infinite values. A finite sum proves there are none (a NaN
     * or an infinity makes any sum NaN or infinite); only otherwise are they counted, since a sum of
     * large finite values can overflow.
     */
    private void checkFinite(String name, NDArray array) {
        if (array.isEmpty()) {
            return;
        }
        float sum;
        try (NDArray s = array.sum()) {
            // Loaded weights are float32. Read through a buffer: the indexing getter costs more than the sum.
            sum = s.toByteBuffer().order(java.nio.ByteOrder.nativeOrder()).getFloat(0);
        }
        if (Float.isFinite(sum)) {
            return;
        }
        long nan;
        long inf;
        try (NDArray isNan = array.isNaN(); NDArray nanCount = isNan.countNonzero();
                NDArray isInf = array.isInfinite(); NDArray infCount = isInf.countNonzero()) {
            nan = nanCount.getLong();
            inf = infCount.getLong();
        }
        if (nan == 0 && inf == 0) {
            return;
        }
        warn(name, "has " + describe(nan, inf) + " among " + String.format("%,d", array.size()) + " values");
    }

    private String warning(String name, String what) {
        return fileOf(name) + ": tensor '" + name + "' " + what + "; outputs computed from it will be NaN"
                + " or infinite (an empty or meaningless answer)";
    }

    private void warn(String name, String what) {
        String warning = warning(name, what);
        warnings.add(warning);
        List<String> sink = WARNING_SINK.get();
        if (sink != null) {
            sink.add(warning);
        }
    }

    private static String describe(long nan, long inf) {
        if (inf == 0) {
            return String.format("%,d NaN value%s", nan, nan == 1 ? "" : "s");
        }
        if (nan == 0) {
            return String.format("%,d infinite value%s", inf, inf == 1 ? "" : "s");
        }
        return String.format("%,d NaN and %,d infinite values", nan, inf);
    }

    private Path fileOf(String name) {
        return checkpoint.contains(name) ? checkpoint.file(name).path() : checkpoint.folder();
    }

    /** Checkpoint tensors that no component asked for: a sign of a layout we misread. */
    public Set<String> unused() {
        Set<String> rest = new LinkedHashSet<>(checkpoint.names());
        rest.removeAll(loaded.keySet());
        return rest;
    }

}
