package org.lvlmworkbench.core.jobs;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Cancellation that reaches inside a forward pass. A job runs its work {@link #watching} its cancel
 * flag; the network checks ({@link #check}) before every layer, every attention chunk and every
 * matrix product, so a 7B prefill stops within about one matrix product of the Cancel button, not at
 * the end of the pass. Scopes close on the way out as on any exception, so nothing leaks.
 */
public final class Cancellation {

    private static final ThreadLocal<BooleanSupplier> CURRENT = new ThreadLocal<>();

    private Cancellation() {
    }

    /** Runs {@code work} on this thread with {@code cancelled} as the flag {@link #check} reads. */
    public static <T> T watching(BooleanSupplier cancelled, Supplier<T> work) {
        BooleanSupplier previous = CURRENT.get();
        CURRENT.set(cancelled);
        try {
            return work.get();
        } finally {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        }
    }

    /** Throws {@link CancellationException} when the work this thread runs was cancelled; cheap otherwise. */
    public static void check() {
        BooleanSupplier c = CURRENT.get();
        if (c != null && c.getAsBoolean()) {
            throw new CancellationException("cancelled");
        }
    }
}
