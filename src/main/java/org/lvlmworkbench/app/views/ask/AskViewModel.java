package org.lvlmworkbench.app.views.ask;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.PatchGrid;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * State of the Ask view: example questions, the image (and the patch grid the vision tower cuts it
 * into), the prompt, and the answer as it streams in, token by token with the time each took.
 * Generation runs as a session job, so it never overlaps another job on the model.
 */
public final class AskViewModel {

    /** Greedy answers of at most this many tokens, as the evaluation scores them. */
    static final int MAX_NEW_TOKENS = 32;

    /**
     * One generated token.
     *
     * @param index  1 for the first token (its time includes preprocessing and the prefill), then 2, 3…
     * @param millis time since the previous token (since Ask for the first)
     */
    public record TokenStep(int index, String token, String answerSoFar, double millis) {
    }

    private final ModelSession session;

    public final ObservableList<EvalItem> examples = FXCollections.observableArrayList();
    public final ObjectProperty<RgbImage> image = new SimpleObjectProperty<>();
    public final ObjectProperty<Path> imagePath = new SimpleObjectProperty<>();
    /** How the open model's vision tower cuts {@link #image} into patches; null without an image-taking model. */
    public final ObjectProperty<PatchGrid> patchGrid = new SimpleObjectProperty<>();
    public final StringProperty imageCaption = new SimpleStringProperty("no image");
    public final StringProperty prompt = new SimpleStringProperty("");
    public final StringProperty expected = new SimpleStringProperty("");
    public final StringProperty answer = new SimpleStringProperty("");
    public final StringProperty timing = new SimpleStringProperty("");
    public final ObservableList<TokenStep> steps = FXCollections.observableArrayList();
    /** Ask is possible: a model is open, nothing runs, and there is a question. */
    public final BooleanBinding askDisabled;

    public AskViewModel(ModelSession session) {
        this.session = session;
        askDisabled = Bindings.createBooleanBinding(
                () -> session.busyProperty().get() || !session.readyProperty().get() || prompt.get().isBlank(),
                session.busyProperty(), session.readyProperty(), prompt);
        session.addModelListener(m -> updateGrid());
    }

    public ReadOnlyBooleanProperty busy() {
        return session.busyProperty();
    }

    /** Reads the example questions; the first is selected. A missing or broken file becomes the status line. */
    public void loadExamples(Path file) {
        if (!Files.isRegularFile(file)) {
            session.setStatus("No example questions at " + file);
            return;
        }
        try {
            List<EvalItem> items = EvalSet.read(file).items();
            examples.setAll(items);
            if (!items.isEmpty()) {
                selectExample(items.get(0));
            }
        } catch (RuntimeException e) {
            session.setStatus(e.getMessage());
        }
    }

    public void selectExample(EvalItem item) {
        prompt.set(item.prompt());
        expected.set(item.answer());
        answer.set("");
        timing.set("");
        steps.clear();
        if (item.image() != null) {
            setImage(item.image());
        }
    }

    /** Shows another image; an unreadable file becomes the status line and the current image stays. */
    public void setImage(Path file) {
        try {
            RgbImage read = RgbImage.read(file);
            imagePath.set(file);
            image.set(read);
            updateGrid();
        } catch (RuntimeException e) {
            session.setStatus(e.getMessage());
        }
    }

    /** The read-out name of patch {@code (row, col)}: where its token sits among the image's tokens. */
    public String patchLabel(int row, int col) {
        PatchGrid grid = patchGrid.get();
        if (grid == null) {
            return "";
        }
        int token = (grid.leadingClassToken() ? 1 : 0) + row * grid.cols() + col;
        return String.format(Locale.ROOT, "patch (%d, %d) · image token %d of %d", row, col, token + 1, grid.tokens());
    }

    /**
     * Answers the current prompt about the current image, streaming tokens into {@link #answer} and
     * {@link #steps}; the status line then says whether it matched the expected answer.
     */
    public Job<GenerationResult> ask() {
        LoadedModel m = session.model();
        if (m == null) {
            throw new IllegalStateException("no model is open");
        }
        String question = prompt.get();
        RgbImage img = m.acceptsImages() ? image.get() : null;
        expected.set(examples.stream()
                .filter(e -> e.prompt().equals(question) && e.image() != null && e.image().equals(imagePath.get()))
                .map(EvalItem::answer).findFirst().orElse(""));
        answer.set("");
        timing.set("");
        steps.clear();
        return session.<GenerationResult, TokenStep>stream("Answering “" + question + "”", (progress, publish) -> {
            progress.update(Double.NaN, "Answering …");
            StringBuilder text = new StringBuilder();
            long[] last = {System.nanoTime()};
            int[] count = {0};
            return Generator.answer(m, question, img, GenerationSettings.greedy(MAX_NEW_TOKENS), Hooks.NONE, token -> {
                progress.checkCancelled();
                long now = System.nanoTime();
                String piece = m.tokenizer().decode(new long[] {token}, true);
                text.append(text.length() == 0 ? "" : " ").append(piece);
                count[0]++;
                publish.accept(new TokenStep(count[0], piece, text.toString(), (now - last[0]) / 1e6));
                last[0] = now;
                progress.update((double) count[0] / MAX_NEW_TOKENS, "Answering … " + count[0] + " token"
                        + (count[0] == 1 ? "" : "s"));
            });
        }, step -> {
            answer.set(step.answerSoFar());
            steps.add(step);
        }, this::showResult);
    }

    /** Stops the answer at the next token; what was generated stays. */
    public void stop() {
        session.cancel();
    }

    private void showResult(GenerationResult r) {
        String text = r.text().strip();
        answer.set(text);
        timing.set(String.format(Locale.ROOT, "%d prompt tokens · prefill %.0f ms · %d new token%s in %.0f ms",
                r.promptIds().length, r.prefillNanos() / 1e6, r.newIds().length,
                r.newIds().length == 1 ? "" : "s", r.decodeNanos() / 1e6));
        session.setStatus(expected.get().isEmpty() ? "Answered"
                : text.equalsIgnoreCase(expected.get()) ? "Correct" : "Expected: " + expected.get());
    }

    private void updateGrid() {
        LoadedModel m = session.model();
        RgbImage img = image.get();
        PatchGrid grid = null;
        if (m != null && img != null && m.acceptsImages()) {
            try {
                grid = m.processor().patchGrid(img);
            } catch (RuntimeException e) {
                session.setStatus("Could not cut the image into patches: " + e.getMessage());
            }
        }
        patchGrid.set(grid);
        imageCaption.set(caption(img, grid));
    }

    private String caption(RgbImage img, PatchGrid grid) {
        if (img == null) {
            return "no image";
        }
        Path file = imagePath.get();
        String shown = (file == null ? "image" : file.getFileName().toString()) + "  ·  " + img.width() + "×" + img.height();
        if (grid == null) {
            return shown;
        }
        RgbImage seen = grid.processed();
        return shown + "  ·  the model sees " + seen.width() + "×" + seen.height() + " in " + grid.rows() + "×"
                + grid.cols() + " patches of " + seen.width() / grid.cols() + " px";
    }
}
