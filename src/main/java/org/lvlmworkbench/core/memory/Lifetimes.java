package org.lvlmworkbench.core.memory;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;

/**
 * The one way a tensor made inside a forward pass outlives it.
 *
 * <p>A pass runs inside an {@link NDScope} ({@code nn.ForwardScope}) that frees every tensor the
 * engine created during it, whichever manager it was attached to: that is what keeps a layer's
 * intermediates from piling up. Three things must survive: the pass's result (logits), the KV
 * cache, and captured hook values. Each is handed to {@link #keep}, which takes it out of the
 * scope and gives it to a longer-lived manager. Nothing else may survive, so the memory a pass
 * leaves behind is exactly what was kept.
 */
public final class Lifetimes {

    private Lifetimes() {
    }

    /** Takes {@code arrays} out of the enclosing scope(s) and makes {@code owner} free them. */
    public static void keep(NDManager owner, NDArray... arrays) {
        for (NDArray a : arrays) {
            a.attach(owner);
        }
        NDScope.unregister(arrays);
    }
}
