package org.lvlmworkbench.app.session;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyDoubleProperty;
import javafx.beans.property.ReadOnlyDoubleWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.lvlmworkbench.core.jobs.Cancellation;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.ModelCard;

/**
 * The model every view works on, and the one background worker that runs their jobs, so jobs on a
 * model never overlap (a second job waits in line). Observable state (model name, ready, busy,
 * status line, progress, running job's title) changes only on the UI executor given at
 * construction, where every callback runs too: {@code Platform::runLater} in the app,
 * {@code Runnable::run} in tests, so the session and the view-models built on it need no toolkit.
 * Call its methods from the UI thread.
 */
public final class ModelSession implements AutoCloseable {

    /** {@link #progressProperty()} while the running job has not said how far it is. */
    public static final double INDETERMINATE = -1;

    /** Work that publishes partial results as it goes (tokens of an answer, rows of a matrix). */
    @FunctionalInterface
    public interface StreamingWork<T, P> {
        T run(Progress progress, Consumer<P> publish);
    }

    private record Update(Job<?> job, double fraction, String message) {
    }

    private final Executor ui;
    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "workbench-worker");
        t.setDaemon(true);
        return t;
    });
    private final Object lock = new Object();
    private final Queue<Job<?>> unfinished = new ConcurrentLinkedQueue<>();
    private final List<Consumer<LoadedModel>> modelListeners = new CopyOnWriteArrayList<>();
    private final AtomicReference<Update> pendingUpdate = new AtomicReference<>();
    private volatile LoadedModel model;
    private volatile ModelCard card;
    private volatile Job<?> running;
    private volatile boolean closed;

    private final ReadOnlyStringWrapper modelName = new ReadOnlyStringWrapper(this, "modelName", "no model");
    private final ReadOnlyBooleanWrapper ready = new ReadOnlyBooleanWrapper(this, "ready", false);
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy", false);
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyDoubleWrapper progress = new ReadOnlyDoubleWrapper(this, "progress", 0);
    private final ReadOnlyStringWrapper jobTitle = new ReadOnlyStringWrapper(this, "jobTitle", "");

    /** @param ui runs callbacks and state changes on the UI thread ({@code Platform::runLater}) */
    public ModelSession(Executor ui) {
        this.ui = ui;
    }

    /** The open model, or null. Read it when submitting a job and hand it to the work. */
    public LoadedModel model() {
        return model;
    }

    /** The open model's card, made once while it opened (off the UI thread: it may wait for native kernels), or null. */
    public ModelCard card() {
        return card;
    }

    /** "folder · model type" of the open model, or "no model". */
    public ReadOnlyStringProperty modelNameProperty() {
        return modelName.getReadOnlyProperty();
    }

    /** True once a model is open. */
    public ReadOnlyBooleanProperty readyProperty() {
        return ready.getReadOnlyProperty();
    }

    /** True while a job runs or waits. */
    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** One line: what is happening, or how the last job ended. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    /** The running job's fraction done in [0, 1], {@link #INDETERMINATE}, or 0 when idle. */
    public ReadOnlyDoubleProperty progressProperty() {
        return progress.getReadOnlyProperty();
    }

    /** The running job's title, "" when idle. */
    public ReadOnlyStringProperty jobTitleProperty() {
        return jobTitle.getReadOnlyProperty();
    }

    /** Sets the status line, e.g. a view's verdict on a finished job. */
    public void setStatus(String line) {
        synchronized (lock) {
            status.set(line);
        }
    }

    /** Called on the UI executor with each newly opened model, after it became {@link #model()}. */
    public void addModelListener(Consumer<LoadedModel> listener) {
        modelListeners.add(listener);
    }

    /**
     * Opens a Hugging Face model folder on the worker; once open it replaces the current model (which
     * closes after the jobs queued before the switch) and the listeners are told. On failure or
     * cancel the current model stays open.
     */
    public Job<LoadedModel> openModel(Path folder) {
        Path shown = folder.toAbsolutePath().normalize();
        ModelCard[] made = new ModelCard[1];
        return run("Opening " + shown.getFileName(), p -> {
            p.update(Double.NaN, "Opening " + shown + " …");
            LoadedModel loaded = ModelLoader.load(folder);
            try {
                // The weights' NaN/Inf scan finishes here, off the UI thread, so the status can report it.
                loaded.allWarnings();
                made[0] = loaded.card();
                p.checkCancelled();
            } catch (RuntimeException e) {
                loaded.close();
                throw e;
            }
            return loaded;
        }, loaded -> install(shown, loaded, made[0]));
    }

    /** Runs {@code work} on the worker, then {@code onDone} with its result on the UI executor. */
    public <T> Job<T> run(String title, Function<Progress, T> work, Consumer<T> onDone) {
        return stream(title, (p, publish) -> work.apply(p), partial -> { }, onDone);
    }

    /**
     * Runs {@code work} on the worker; each value it publishes reaches {@code onPartial} on the UI
     * executor, in order, and all of them before {@code onDone}. A job that throws
     * {@link CancellationException} ends cancelled; any other exception becomes the status line
     * "title failed: message". Neither callback runs then.
     */
    public <T, P> Job<T> stream(String title, StreamingWork<T, P> work, Consumer<P> onPartial, Consumer<T> onDone) {
        return stream(title, work, onPartial, onDone, job -> { });
    }

    /**
     * {@link #stream(String, StreamingWork, Consumer, Consumer)}, and {@code onEnd} on the UI executor
     * once the job ended in any state (after {@code onDone} when it succeeded), before
     * {@link Job#await} returns.
     */
    public <T, P> Job<T> stream(String title, StreamingWork<T, P> work, Consumer<P> onPartial, Consumer<T> onDone,
            Consumer<Job<T>> onEnd) {
        if (closed) {
            throw new IllegalStateException("the session is closed; '" + title + "' cannot run");
        }
        Job<T> job = new Job<>(title);
        unfinished.add(job);
        publishState();
        worker.execute(() -> execute(job, work, onPartial, onDone, onEnd));
        return job;
    }

    /** Cancels the running job and every waiting one. */
    public void cancel() {
        for (Job<?> job : unfinished) {
            job.cancel();
        }
    }

    /** Cancels every job, waits briefly for the running one to stop, and closes the model. */
    @Override
    public void close() {
        closed = true;
        cancel();
        worker.shutdown();
        try {
            if (!worker.awaitTermination(2, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LoadedModel m = model;
        model = null;
        card = null;
        if (m != null) {
            m.close();
        }
    }

    private <T, P> void execute(Job<T> job, StreamingWork<T, P> work, Consumer<P> onPartial, Consumer<T> onDone,
            Consumer<Job<T>> onEnd) {
        long start = System.nanoTime();
        try {
            if (job.isCancelRequested()) {
                throw new CancellationException("cancelled before it started");
            }
            running = job;
            job.started();
            onUi(() -> {
                jobTitle.set(job.title());
                progress.set(INDETERMINATE);
                status.set(job.title() + " …");
            });
            Progress p = Progress.of(job::isCancelRequested, (fraction, message) -> report(job, fraction, message));
            // The flag also reaches inside forward passes (before each layer and matrix product), so
            // Cancel stops a long prefill within about one matrix product.
            T value = Cancellation.watching(job::isCancelRequested,
                    () -> work.run(p, partial -> deliver(job, () -> onPartial.accept(partial))));
            job.ended(Job.State.SUCCEEDED, value, null);
            String took = String.format(Locale.ROOT, "%.1f s", (System.nanoTime() - start) / 1e9);
            deliver(job, () -> {
                status.set(job.title() + " — done in " + took);
                onDone.accept(value);
            });
        } catch (CancellationException e) {
            job.ended(Job.State.CANCELLED, null, null);
            onUi(() -> status.set(job.title() + " — cancelled"));
        } catch (Throwable e) {
            // Errors too (out of memory on a large model): the window must say what happened, not die.
            job.ended(Job.State.FAILED, null, e);
            onUi(() -> status.set(job.title() + " failed: " + describe(e)));
        } finally {
            running = null;
            unfinished.remove(job);
            publishState();
            onUi(() -> {
                try {
                    onEnd.accept(job);
                } catch (RuntimeException e) {
                    status.set(job.title() + ": " + describe(e));
                }
                job.delivered();
            });
        }
    }

    /** Coalesces progress reports: at most one waits on the UI executor, carrying the latest. */
    private void report(Job<?> job, double fraction, String message) {
        if (pendingUpdate.getAndSet(new Update(job, fraction, message)) == null) {
            onUi(() -> {
                Update u = pendingUpdate.getAndSet(null);
                if (u != null && u.job() == running) {
                    progress.set(Double.isNaN(u.fraction()) ? INDETERMINATE : Math.max(0, Math.min(1, u.fraction())));
                    if (u.message() != null && !u.message().isEmpty()) {
                        status.set(u.message());
                    }
                }
            });
        }
    }

    private void publishState() {
        onUi(() -> {
            Job<?> first = unfinished.peek();
            busy.set(first != null);
            Job<?> r = running;
            jobTitle.set(r != null ? r.title() : first != null ? first.title() : "");
            if (first == null) {
                progress.set(0);
            }
        });
    }

    private void install(Path folder, LoadedModel loaded, ModelCard loadedCard) {
        LoadedModel previous = model;
        model = loaded;
        card = loadedCard;
        modelName.set(folder.getFileName() + "  ·  " + loadedCard.modelType());
        ready.set(true);
        List<String> warnings = loaded.warnings();
        status.set("Opened " + folder + (warnings.isEmpty() ? "" : " — warning: " + warnings.get(0)
                + (warnings.size() > 1 ? " (and " + (warnings.size() - 1) + " more warning"
                        + (warnings.size() > 2 ? "s" : "") + ")" : "")));
        for (Consumer<LoadedModel> listener : modelListeners) {
            listener.accept(loaded);
        }
        if (previous != null) {
            // Behind every job queued before the switch, which may still hold the previous model.
            if (closed) {
                previous.close();
            } else {
                worker.execute(previous::close);
            }
        }
    }

    /** A callback of {@code job} on the UI executor; if it throws, the status line says so. */
    private void deliver(Job<?> job, Runnable callback) {
        onUi(() -> {
            try {
                callback.run();
            } catch (RuntimeException e) {
                status.set(job.title() + ": could not show the result: " + describe(e));
            }
        });
    }

    /** On the UI executor, under a lock so a direct executor (tests) sees the same ordering as one UI thread. */
    private void onUi(Runnable r) {
        ui.execute(() -> {
            synchronized (lock) {
                r.run();
            }
        });
    }

    private static String describe(Throwable e) {
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }
}
