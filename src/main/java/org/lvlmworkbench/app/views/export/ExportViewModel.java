package org.lvlmworkbench.app.views.export;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.core.compress.export.ExportOptions;
import org.lvlmworkbench.core.compress.export.ModelExporter;
import org.lvlmworkbench.core.export.DiskSpace;

/**
 * The Export dialog's state: where to write, in which dtype, factored or dense, with or without the
 * report; the size that would take (updated as the choices change); the running export, its
 * progress (the session's) and its cancel; and what the finished export wrote. Plain JavaFX
 * properties, tested without a window.
 */
public final class ExportViewModel {

    /** The dtypes an export writes, as the CLI names them. */
    public static final List<String> DTYPES = List.of("bf16", "f16", "f32");

    public final StringProperty folder = new SimpleStringProperty(this, "folder", "");
    public final ObjectProperty<String> dtype = new SimpleObjectProperty<>(this, "dtype", "bf16");
    public final BooleanProperty dense = new SimpleBooleanProperty(this, "dense", false);
    public final BooleanProperty report = new SimpleBooleanProperty(this, "report", true);
    public final BooleanProperty replace = new SimpleBooleanProperty(this, "replace", false);

    private final ReadOnlyStringWrapper estimate = new ReadOnlyStringWrapper(this, "estimate", "");
    private final ReadOnlyStringWrapper status = new ReadOnlyStringWrapper(this, "status", "");
    private final ReadOnlyBooleanWrapper running = new ReadOnlyBooleanWrapper(this, "running", false);
    private final ReadOnlyObjectWrapper<Path> written = new ReadOnlyObjectWrapper<>(this, "written");
    private final CompressionSession session;
    private Job<ModelExporter.Result> job;

    public ExportViewModel(CompressionSession session) {
        this.session = session;
        dtype.addListener((o, a, b) -> updateEstimate());
        dense.addListener((o, a, b) -> updateEstimate());
        updateEstimate();
    }

    public ReadOnlyStringProperty estimateProperty() {
        return estimate.getReadOnlyProperty();
    }

    /** What happened last: the session's progress line while running, then the outcome. */
    public ReadOnlyStringProperty statusProperty() {
        return status.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running.getReadOnlyProperty();
    }

    /** The folder of the last finished export, or null. */
    public ReadOnlyObjectProperty<Path> writtenProperty() {
        return written.getReadOnlyProperty();
    }

    /** The session's progress in [0, 1] (negative while unknown) for the progress bar. */
    public javafx.beans.property.ReadOnlyDoubleProperty progressProperty() {
        return session.modelSession().progressProperty();
    }

    ExportOptions options() {
        ExportOptions o = ExportOptions.DEFAULTS.withDtype(ExportOptions.parseDtype(dtype.get())).withDense(dense.get());
        return o.withForce(replace.get());
    }

    void updateEstimate() {
        ModelExporter.Estimate e;
        try {
            e = session.exportEstimate(options());
        } catch (RuntimeException ex) {
            estimate.set("cannot export this plan: " + ex.getMessage());
            return;
        }
        if (e == null) {
            estimate.set("the plan is being prepared …");
            return;
        }
        estimate.set(String.format(Locale.ROOT, "about %s on disk, %,d parameters, %s", DiskSpace.gb(e.totalBytes()),
                e.parameters(), e.kind() == ModelExporter.Kind.PLAIN
                        ? "a plain checkpoint (LlavaForConditionalGeneration loads it)"
                        : "factored, with modeling code (trust_remote_code=True)"));
    }

    /** Starts the export; false (with the reason in the status) when the folder is not usable. */
    public boolean export() {
        String text = folder.get() == null ? "" : folder.get().strip();
        if (text.isEmpty()) {
            status.set("Choose a folder to export to.");
            return false;
        }
        Path out = Path.of(text);
        if (Files.exists(out) && !replace.get()) {
            status.set(out + " exists: tick \"Replace\" to overwrite it once the new export is complete.");
            return false;
        }
        written.set(null);
        running.set(true);
        status.bind(session.modelSession().statusProperty());
        try {
            job = session.export(out, options(), report.get(), this::ended);
        } catch (RuntimeException e) {
            status.unbind();
            running.set(false);
            status.set("Export failed: " + e.getMessage());
            return false;
        }
        return true;
    }

    private void ended(Job<ModelExporter.Result> j) {
        status.unbind();
        running.set(false);
        switch (j.state()) {
            case SUCCEEDED -> {
                ModelExporter.Result r = j.result();
                written.set(r.folder());
                status.set(String.format(Locale.ROOT, "Exported %d files (%s) to %s%s", r.files().size(),
                        DiskSpace.gb(r.bytes()), r.folder(), report.get() ? "; the report is report.html there" : ""));
            }
            case CANCELLED -> status.set("Export cancelled; nothing was written.");
            default -> status.set("Export failed: " + (j.error() == null ? "unknown error" : j.error().getMessage()));
        }
        updateEstimate();
    }

    /** Cancels a running export (its unfinished folder is removed; an existing one is left as it was). */
    public void cancel() {
        if (job != null) {
            job.cancel();
        }
    }
}
