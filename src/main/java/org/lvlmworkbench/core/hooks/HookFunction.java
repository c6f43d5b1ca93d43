package org.lvlmworkbench.core.hooks;

import ai.djl.ndarray.NDArray;

/** Replaces an activation. Returning the input unchanged is allowed; the shape must be kept. */
@FunctionalInterface
public interface HookFunction {
    NDArray apply(String point, NDArray activation);
}
