package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import java.util.List;

/** Anything that maps the last axis from {@link #inFeatures} to {@link #outFeatures} affinely. */
public interface LinearMap {

    NDArray apply(NDArray x);

    long inFeatures();

    long outFeatures();

    /**
     * The weight {@code [out, in]} as a new row-major float32 array (16-bit weights widened
     * exactly): for analyses that read one matrix at a time, such as its singular values. Costs the
     * matrix's float32 size; callers hold one at a time.
     */
    float[] weightRows();

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
