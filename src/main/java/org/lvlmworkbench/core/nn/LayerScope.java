package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;
import org.lvlmworkbench.core.jobs.Cancellation;

/**
 * Runs one layer so that its intermediates are freed when it returns: only its output survives,
 * handed back to the enclosing scope (the pass's {@link ForwardScope}), and whatever the layer
 * itself kept with {@code Lifetimes.keep} (KV cache entries, captured hook values).
 *
 * <p>Without it a pass holds every layer's scores, projections and MLP activations until it
 * returns, and memory grows with depth × tokens². With it the peak is one layer's scratch plus the
 * residual stream.
 */
public final class LayerScope {

    private LayerScope() {
    }

    public static NDArray run(Supplier<NDArray> layer) {
        Cancellation.check();
        NDArray out;
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            out = layer.get();
            NDScope.unregister(out);
        }
        // Back into the enclosing scope, so a failure later in the pass still frees it.
        NDScope.register(out);
        return out;
    }
}
