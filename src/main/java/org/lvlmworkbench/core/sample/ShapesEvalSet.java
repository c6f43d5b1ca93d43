package org.lvlmworkbench.core.sample;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.eval.EvalSet;

/** Writes the held-out evaluation split of {@link ShapesWorld} as PNG files plus {@code eval.jsonl}. */
public final class ShapesEvalSet {

    public static final String FOLDER = "shapes-eval";
    public static final String FILE = "eval.jsonl";

    private ShapesEvalSet() {
    }

    public static Path defaultFile() {
        return SampleModel.samplesFolder().resolve(FOLDER).resolve(FILE);
    }

    public static Path write(Path folder, ShapesWorld world, int count) {
        try {
            Files.createDirectories(folder.resolve("images"));
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": cannot create: " + e.getMessage(), e);
        }
        List<EvalItem> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ShapesWorld.Example e = world.example(ShapesWorld.Split.EVALUATION, i);
            Path image = folder.resolve("images").resolve(String.format("%04d.png", i));
            e.image().writePng(image);
            items.add(new EvalItem(image, e.question(), e.answer(), e.type().name().toLowerCase()));
        }
        Path file = folder.resolve(FILE);
        EvalSet.write(file, items);
        return file;
    }
}
