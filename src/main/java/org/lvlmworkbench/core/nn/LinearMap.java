package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Anything that maps the last axis from {@link #inFeatures} to {@link #outFeatures} affinely. */
public interface LinearMap {

    NDArray apply(NDArray x);

    long inFeatures();

    long outFeatures();

    /** Trainable tensors, in a fixed order. */
    List<NDArray> parameters();

    default long parameterCount() {
        long n = 0;
        for (NDArray p : parameters()) {
            n += p.size();
        }
        return n;
    }
}
