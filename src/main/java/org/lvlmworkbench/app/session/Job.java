package org.lvlmworkbench.app.session;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * One piece of work submitted to a {@link ModelSession}: its title, its state, and the way to stop it.
 * {@link #cancel()} only sets the flag the work polls through its {@code Progress}; work that checks
 * it as {@code Progress} asks ends within a second.
 *
 * @param <T> what the work returns
 */
public final class Job<T> {

    /** Where a job is in its life; the last three are final. */
    public enum State { QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED }

    private final String title;
    private final CountDownLatch delivered = new CountDownLatch(1);
    private volatile boolean cancelRequested;
    private volatile State state = State.QUEUED;
    private volatile T result;
    private volatile Throwable error;

    Job(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    public State state() {
        return state;
    }

    /** Asks the work to stop; a queued job never starts. */
    public void cancel() {
        cancelRequested = true;
    }

    public boolean isCancelRequested() {
        return cancelRequested;
    }

    /** What the work returned, once {@link State#SUCCEEDED}; null before. */
    public T result() {
        return result;
    }

    /** Why the job {@link State#FAILED}, or null. */
    public Throwable error() {
        return error;
    }

    /**
     * Waits until the job ended and its callbacks ran on the UI executor. Never call it on the UI
     * thread: the callbacks it waits for are queued there.
     *
     * @return false when {@code timeout} passed first
     */
    public boolean await(Duration timeout) throws InterruptedException {
        return delivered.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    void started() {
        state = State.RUNNING;
    }

    void ended(State end, T value, Throwable cause) {
        result = value;
        error = cause;
        state = end;
    }

    void delivered() {
        delivered.countDown();
    }
}
