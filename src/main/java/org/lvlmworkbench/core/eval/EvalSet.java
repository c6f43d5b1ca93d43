package org.lvlmworkbench.core.eval;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.config.JsonFields;

/**
 * An evaluation set as JSONL, one object a line:
 * {@code {"image": "images/0001.png", "prompt": "...", "answer": "red", "type": "color"}}.
 * Image paths are relative to the JSONL file's folder.
 */
public record EvalSet(Path file, List<EvalItem> items) {

    public static EvalSet read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file, null, "evaluation file is missing");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new ConfigException(file, null, "cannot be read: " + e, e);
        }
        Path base = file.toAbsolutePath().getParent();
        List<EvalItem> items = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty()) {
                continue;
            }
            JsonObject o;
            try {
                o = JsonParser.parseString(line).getAsJsonObject();
            } catch (JsonParseException | IllegalStateException e) {
                throw new ConfigException(file, "line " + (i + 1), "is not a JSON object: " + e.getMessage(), e);
            }
            JsonFields f = new JsonFields(file, "line " + (i + 1), o);
            Path image = f.has("image") ? base.resolve(f.string("image")) : null;
            if (image != null && !Files.isRegularFile(image)) {
                throw f.error("image", "file " + image + " does not exist");
            }
            items.add(new EvalItem(image, f.string("prompt"), f.string("answer"), f.string("type", "all")));
        }
        if (items.isEmpty()) {
            throw new ConfigException(file, null, "holds no evaluation items");
        }
        return new EvalSet(file, List.copyOf(items));
    }

    /** Writes items whose image paths lie under the file's folder. */
    public static void write(Path file, List<EvalItem> items) {
        Path base = file.toAbsolutePath().getParent();
        StringBuilder sb = new StringBuilder();
        for (EvalItem item : items) {
            JsonObject o = new JsonObject();
            if (item.image() != null) {
                o.addProperty("image", base.relativize(item.image().toAbsolutePath()).toString().replace('\\', '/'));
            }
            o.addProperty("prompt", item.prompt());
            o.addProperty("answer", item.answer());
            o.addProperty("type", item.type());
            sb.append(o).append('\n');
        }
        try {
            Files.writeString(file, sb.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}
