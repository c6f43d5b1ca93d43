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

    /**
     * The held-out split drawn at {@code model}'s image size: {@code samples/shapes-eval-N} for a
     * model whose vision tower takes N-pixel images (the deeper sample's 64), else {@link
     * #defaultFile()} (the 48-pixel split of the first sample). Any other model gets the default
     * too: its processor resizes the images, and the questions are the same.
     */
    public static Path defaultFileFor(Path model) {
        Path config = model.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            return defaultFile();
        }
        try {
            var vision = org.lvlmworkbench.core.config.JsonFields.read(config).optionalObject("vision_config");
            if (vision.isPresent() && vision.get().has("image_size")) {
                Path sized = SampleModel.samplesFolder().resolve(FOLDER + "-" + vision.get().integer("image_size"))
                        .resolve(FILE);
                if (Files.isRegularFile(sized)) {
                    return sized;
                }
            }
        } catch (RuntimeException unreadable) {
            // The loader reports a broken config with its file and field; the default split is still a valid offer.
        }
        return defaultFile();
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
