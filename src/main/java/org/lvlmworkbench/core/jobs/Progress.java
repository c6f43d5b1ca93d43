package org.lvlmworkbench.core.jobs;

import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * What a long job reports to whoever started it, and how it learns that it should stop. Jobs call
 * {@link #checkCancelled()} at least once per unit of work small enough to take well under a second
 * (a layer, a matrix, a probe item), so a Cancel button takes effect within a second.
 */
public interface Progress {

    /** Nothing listens, nothing cancels. */
    Progress NONE = of(() -> false, (fraction, message) -> { });

    /**
     * @param fraction done so far, in [0, 1], or NaN when unknown
     * @param message  what is being done now, one short line
     */
    void update(double fraction, String message);

    boolean isCancelled();

    /** Throws {@link CancellationException} when the job was cancelled. */
    default void checkCancelled() {
        if (isCancelled()) {
            throw new CancellationException("cancelled");
        }
    }

    /** A sub-job covering {@code [from, to]} of this job's fraction, sharing its cancellation. */
    default Progress slice(double from, double to) {
        Progress parent = this;
        return of(parent::isCancelled, (fraction, message) -> parent.update(
                Double.isNaN(fraction) ? Double.NaN : from + (to - from) * Math.max(0, Math.min(1, fraction)), message));
    }

    /** Receives updates. */
    interface Listener {
        void update(double fraction, String message);
    }

    static Progress of(BooleanSupplier cancelled, Listener listener) {
        return new Progress() {
            @Override
            public void update(double fraction, String message) {
                listener.update(fraction, message);
            }

            @Override
            public boolean isCancelled() {
                return cancelled.getAsBoolean();
            }
        };
    }
}
