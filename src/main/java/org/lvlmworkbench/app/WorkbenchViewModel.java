package org.lvlmworkbench.app;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javafx.application.Platform;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.concurrent.Task;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * State of the workbench window, as observable properties; it never touches a control. Heavy work
 * (loading, generation) runs on one background worker, so jobs on the same model never overlap and
 * the FX thread only ever sees finished results.
 */
public final class WorkbenchViewModel implements AutoCloseable {

    /** One line of the model card's component table. */
    public record ComponentRow(String name, long parameters, String dtype) {
    }

    private final ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "workbench-worker");
        t.setDaemon(true);
        return t;
    });

    private LoadedModel model;
    private Task<?> current;

    public final StringProperty modelName = new SimpleStringProperty("no model");
    public final StringProperty modelSummary = new SimpleStringProperty("");
    public final ObservableList<ComponentRow> components = FXCollections.observableArrayList();
    public final ObservableList<EvalItem> examples = FXCollections.observableArrayList();
    public final ObjectProperty<RgbImage> image = new SimpleObjectProperty<>();
    public final ObjectProperty<Path> imagePath = new SimpleObjectProperty<>();
    public final StringProperty prompt = new SimpleStringProperty("");
    public final StringProperty expected = new SimpleStringProperty("");
    public final StringProperty answer = new SimpleStringProperty("");
    public final StringProperty timing = new SimpleStringProperty("");
    public final StringProperty status = new SimpleStringProperty("");
    public final BooleanProperty busy = new SimpleBooleanProperty(false);
    public final BooleanProperty modelReady = new SimpleBooleanProperty(false);

    public Task<LoadedModel> openModel(Path folder) {
        Task<LoadedModel> task = new Task<>() {
            @Override
            protected LoadedModel call() {
                updateMessage("Opening " + folder + " …");
                LoadedModel loaded = ModelLoader.load(folder);
                // The weights' NaN/Inf scan finishes here, off the FX thread, so the status can report it.
                loaded.allWarnings();
                return loaded;
            }
        };
        task.setOnSucceeded(e -> {
            LoadedModel previous = model;
            model = task.getValue();
            if (previous != null) {
                worker.submit(previous::close);
            }
            showModel(folder, model);
            List<String> warnings = model.warnings();
            status.set("Opened " + folder.toAbsolutePath().normalize() + (warnings.isEmpty() ? ""
                    : " — warning: " + warnings.get(0) + (warnings.size() > 1
                            ? " (and " + (warnings.size() - 1) + " more warning" + (warnings.size() > 2 ? "s" : "") + ")"
                            : "")));
        });
        task.setOnFailed(e -> status.set("Could not open the model: " + task.getException().getMessage()));
        task.setOnCancelled(e -> status.set("Opening cancelled; " + (model == null ? "no model is open"
                : "the previous model stays open")));
        run(task);
        return task;
    }

    private void showModel(Path folder, LoadedModel m) {
        ModelCard card = m.card();
        modelName.set(folder.getFileName() + "  ·  " + card.modelType());
        String images = card.fact("vision tower", "tokens per image");
        modelSummary.set(String.format("%s%n%s decoder layers × %s wide · vocabulary %s%s%n%,d parameters · keys: %s",
                card.architecture(), card.fact("text decoder", "layers"), card.fact("text decoder", "width"),
                card.fact("text decoder", "vocabulary"), images == null ? "" : " · " + images + " image tokens",
                card.totalParameters(), card.keyLayout()));
        components.setAll(card.components().stream()
                .map(c -> new ComponentRow(c.name(), c.parameters(), c.storedDtype())).toList());
        modelReady.set(true);
    }

    public void loadExamples(Path file) {
        if (!Files.isRegularFile(file)) {
            status.set("No example questions at " + file);
            return;
        }
        try {
            List<EvalItem> items = EvalSet.read(file).items();
            examples.setAll(items);
            if (!items.isEmpty()) {
                selectExample(items.get(0));
            }
        } catch (RuntimeException e) {
            status.set(e.getMessage());
        }
    }

    public void selectExample(EvalItem item) {
        prompt.set(item.prompt());
        expected.set(item.answer());
        answer.set("");
        timing.set("");
        if (item.image() != null) {
            setImage(item.image());
        }
    }

    public void setImage(Path file) {
        try {
            RgbImage read = RgbImage.read(file);
            imagePath.set(file);
            image.set(read);
        } catch (RuntimeException e) {
            status.set(e.getMessage());
        }
    }

    /** Answers the current prompt about the current image, streaming tokens into {@link #answer}. */
    public Task<GenerationResult> ask() {
        LoadedModel m = model;
        RgbImage img = image.get();
        String question = prompt.get();
        answer.set("");
        Task<GenerationResult> task = new Task<>() {
            @Override
            protected GenerationResult call() {
                updateMessage("Answering …");
                StringBuilder streamed = new StringBuilder();
                RgbImage image = m.acceptsImages() ? img : null;
                return Generator.answer(m, question, image, GenerationSettings.greedy(32), Hooks.NONE, token -> {
                    if (isCancelled()) {
                        throw new java.util.concurrent.CancellationException();
                    }
                    streamed.append(streamed.length() == 0 ? "" : " ").append(
                            m.tokenizer().decode(new long[] {token}, true));
                    String partial = streamed.toString();
                    Platform.runLater(() -> answer.set(partial));
                });
            }
        };
        task.setOnSucceeded(e -> {
            GenerationResult r = task.getValue();
            answer.set(r.text().strip());
            timing.set(String.format("%d prompt tokens · prefill %.0f ms · %d new token%s in %.0f ms",
                    r.promptIds().length, r.prefillNanos() / 1e6, r.newIds().length,
                    r.newIds().length == 1 ? "" : "s", r.decodeNanos() / 1e6));
            status.set(expected.get().isEmpty() ? "Answered"
                    : r.text().strip().equalsIgnoreCase(expected.get()) ? "Correct" : "Expected: " + expected.get());
        });
        task.setOnFailed(e -> status.set("Generation failed: " + task.getException().getMessage()));
        run(task);
        return task;
    }

    /** Stops the running job; generation stops at the next token and keeps what it has. */
    public void cancel() {
        Task<?> t = current;
        if (t != null && t.isRunning()) {
            t.cancel(false);
        }
    }

    private void run(Task<?> task) {
        current = task;
        busy.set(true);
        task.messageProperty().addListener((obs, old, message) -> status.set(message));
        task.runningProperty().addListener((obs, was, running) -> busy.set(running));
        worker.submit(task);
    }

    @Override
    public void close() {
        worker.shutdownNow();
        if (model != null) {
            model.close();
        }
    }
}
