package org.lvlmworkbench.core.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.lvlmworkbench.core.memory.Lifetimes;

/**
 * Activations captured during forward passes, owned by the cache's own manager so they outlive the
 * pass. A later capture of the same point (the next generation step) replaces the earlier one.
 */
public final class ActivationCache implements AutoCloseable {

    private final NDManager manager;
    private final Map<String, NDArray> values = new LinkedHashMap<>();

    public ActivationCache(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    void store(String point, NDArray activation) {
        NDArray copy = activation.duplicate();
        Lifetimes.keep(manager, copy);
        NDArray old = values.put(point, copy);
        if (old != null) {
            old.close();
        }
    }

    public NDArray get(String point) {
        NDArray a = values.get(point);
        if (a == null) {
            throw new IllegalArgumentException("hook point '" + point + "' was not captured; captured: " + values.keySet());
        }
        return a;
    }

    public boolean contains(String point) {
        return values.containsKey(point);
    }

    public Set<String> points() {
        return Collections.unmodifiableSet(values.keySet());
    }

    public long bytes() {
        long n = 0;
        for (NDArray a : values.values()) {
            n += a.size() * a.getDataType().getNumOfBytes();
        }
        return n;
    }

    @Override
    public void close() {
        values.clear();
        manager.close();
    }
}
