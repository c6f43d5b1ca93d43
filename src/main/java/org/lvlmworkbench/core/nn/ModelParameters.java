package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * A model's parameters under their checkpoint names, in load order: float32 arrays, and matrices
 * kept in their stored 16-bit precision. Sizes and stored types are known without touching a
 * weight; {@link #float32()} widens the reduced ones, once, for the callers that need every
 * parameter as an array (training, tests, export of a changed model).
 */
public final class ModelParameters {

    private final NDManager manager;
    private final Map<String, Long> sizes;
    private final Map<String, DType> storedTypes;
    private final Map<String, NDArray> dense;
    private final Map<String, MappedMatrix> reduced;
    private Map<String, NDArray> float32;

    private ModelParameters(NDManager manager, WeightLoader w) {
        this.manager = manager;
        this.sizes = Collections.unmodifiableMap(new LinkedHashMap<>(w.sizes()));
        this.storedTypes = Map.copyOf(w.storedTypes());
        this.dense = new LinkedHashMap<>(w.loaded());
        this.reduced = new LinkedHashMap<>(w.reduced());
    }

    /** Everything {@code w} loaded; widened arrays will belong to {@code manager}. */
    public static ModelParameters of(WeightLoader w, NDManager manager) {
        return new ModelParameters(manager, w);
    }

    /** Element counts, in load order (tied tensors appear once). */
    public Map<String, Long> sizes() {
        return sizes;
    }

    public Map<String, DType> storedTypes() {
        return storedTypes;
    }

    /** Whether any matrix is kept in 16-bit precision. */
    public boolean hasReduced() {
        return !reduced.isEmpty();
    }

    /** Every parameter as a float32 array; the first call widens the 16-bit matrices (their float32 size in memory). */
    public synchronized Map<String, NDArray> float32() {
        if (float32 == null) {
            Map<String, NDArray> out = new LinkedHashMap<>();
            for (String name : sizes.keySet()) {
                NDArray a = dense.get(name);
                if (a == null) {
                    a = reduced.get(name).widened(manager);
                }
                out.put(name, a);
            }
            float32 = Collections.unmodifiableMap(out);
        }
        return float32;
    }
}
