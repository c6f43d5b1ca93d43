package org.lvlmworkbench.app.widgets;

import java.nio.file.Path;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;

/**
 * Where an analysis view takes its probe items from, as observable state a {@link ProbeSetBar} edits:
 * the first {@link #count} questions of an evaluation file, or the first {@link #count} images of a
 * folder, each with {@link #prompt}. Needs no UI toolkit, so view-models hold one and tests set it.
 */
public final class ProbeSource {

    /** The two kinds of source. */
    public enum Kind {
        EVAL_FILE("evaluation file"),
        IMAGE_FOLDER("image folder");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /**
     * The source as it was when a run started; {@link #build()} reads the files, so call it off the UI thread.
     *
     * @param count items to take; at least 1
     */
    public record Spec(Kind kind, Path evalFile, Path imageFolder, String prompt, int count) {

        /** Reads the items. Errors name the file or folder, or say what is still to choose. */
        public ProbeSet build() {
            return switch (kind) {
                case EVAL_FILE -> {
                    if (evalFile == null) {
                        throw new IllegalArgumentException("choose an evaluation file (JSONL) first");
                    }
                    yield ProbeSet.fromEvalFile(evalFile, count);
                }
                case IMAGE_FOLDER -> {
                    if (imageFolder == null) {
                        throw new IllegalArgumentException("choose a folder of images first");
                    }
                    if (prompt == null || prompt.isBlank()) {
                        throw new IllegalArgumentException("type the prompt to ask about every image in "
                                + imageFolder.getFileName());
                    }
                    yield ProbeSet.fromImageFolder(imageFolder, prompt.strip(), count);
                }
            };
        }

        /** For job titles: "eval.jsonl (first 12)", "photos × “what is this?” (first 8)"; a shorter source gives fewer. */
        public String describe() {
            return switch (kind) {
                case EVAL_FILE -> (evalFile == null ? "no file" : evalFile.getFileName()) + " (first " + count + ")";
                case IMAGE_FOLDER -> (imageFolder == null ? "no folder" : imageFolder.getFileName()) + " × “"
                        + (prompt == null ? "" : prompt.strip()) + "” (first " + count + ")";
            };
        }
    }

    /** Most items one run may take: far more than a view can show, and bounded so a typo cannot queue hours. */
    public static final int MAX_COUNT = 10_000;

    public final ObjectProperty<Kind> kind = new SimpleObjectProperty<>(this, "kind", Kind.EVAL_FILE);
    public final ObjectProperty<Path> evalFile = new SimpleObjectProperty<>(this, "evalFile");
    public final ObjectProperty<Path> imageFolder = new SimpleObjectProperty<>(this, "imageFolder");
    public final StringProperty prompt = new SimpleStringProperty(this, "prompt", "describe the image.");
    public final IntegerProperty count = new SimpleIntegerProperty(this, "count");

    /** @param evalFile the evaluation file offered first, or null */
    public ProbeSource(Path evalFile, int count) {
        this.evalFile.set(evalFile);
        this.count.set(clamp(count));
        this.count.addListener((obs, old, n) -> {
            if (n.intValue() != clamp(n.intValue())) {
                this.count.set(clamp(n.intValue()));
            }
        });
    }

    /** The source now, to hand to a job. */
    public Spec spec() {
        return new Spec(kind.get(), evalFile.get(), imageFolder.get(), prompt.get(), count.get());
    }

    private static int clamp(int n) {
        return Math.max(1, Math.min(MAX_COUNT, n));
    }
}
