package org.lvlmworkbench.core.analysis.probe;

import org.lvlmworkbench.core.hooks.Hooks;

/**
 * What an analysis attaches to a probe run: hooks for each pass, and a call once the pass is done
 * (its hook values are then complete, and may be turned into plain numbers before the pass's
 * tensors are freed).
 */
public interface PassObserver {

    /** Adds this observer's hooks for {@code pass}; called before the pass runs. */
    void beforePass(Pass pass, Hooks hooks);

    /** Called after {@code pass}, with the token it produced ({@code -1} when it ended the run). */
    default void afterPass(Pass pass, long producedToken) {
    }
}
