package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;
import org.lvlmworkbench.core.memory.Lifetimes;

/**
 * Runs a forward pass so that every intermediate tensor is freed when it returns, whichever
 * manager the engine attached it to, and only the result survives, owned by the caller's manager.
 */
public final class ForwardScope {

    private ForwardScope() {
    }

    public static NDArray run(NDManager owner, Supplier<NDArray> pass) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            NDArray result = pass.get();
            Lifetimes.keep(owner, result);
            return result;
        }
    }
}
