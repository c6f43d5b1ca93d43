package org.lvlmworkbench.core.nn;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * Reads named tensors from a checkpoint into the model's manager as float32 on the compute
 * device, checking each against the shape the configuration implies. Remembers what it loaded, in
 * order and under the checkpoint's own names, so training and export see the same tensors.
 */
public final class WeightLoader {

    private final Checkpoint checkpoint;
    private final NDManager manager;
    private final Map<String, NDArray> loaded = new LinkedHashMap<>();
    private final Map<String, DType> storedTypes = new LinkedHashMap<>();

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
        return array;
    }

    /** Loads {@code name} if present; null otherwise (optional biases). */
    public NDArray loadOptional(String name, long... expectedShape) {
        return has(name) ? load(name, expectedShape) : null;
    }


    /** The affine map {@code name.weight} ({@code [out, in]}) plus {@code name.bias} when {@code bias}. */
    public Linear linear(String name, long out, long in, boolean bias) {
        return new Linear(load(name + ".weight", out, in), bias ? load(name + ".bias", out) : null);
    }

    /** Every tensor loaded so far, in load order, under its checkpoint name. */
    public Map<String, NDArray> loaded() {
        return Collections.unmodifiableMap(loaded);
    }

    public Map<String, DType> storedTypes() {
        return Collections.unmodifiableMap(storedTypes);
    }

    /** Checkpoint tensors that no component asked for: a sign of a layout we misread. */
    public Set<String> unused() {
        Set<String> rest = new LinkedHashSet<>(checkpoint.names());
        rest.removeAll(loaded.keySet());
        return rest;
    }

}
