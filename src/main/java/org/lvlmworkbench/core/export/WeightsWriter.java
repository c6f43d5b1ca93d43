package org.lvlmworkbench.core.export;

import ai.djl.ndarray.NDArray;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.SafetensorsWriter;

/**
 * Writes named tensors as HF does: one {@code model.safetensors}, or numbered shards plus
 * {@code model.safetensors.index.json}. Each file appears atomically.
 */
public final class WeightsWriter {

    private WeightsWriter() {
    }

    public static void write(Path folder, Map<String, NDArray> tensors, DType dtype, int shards) {
        if (shards < 1) {
            throw new IllegalArgumentException("shards must be at least 1");
        }
        List<String> names = new ArrayList<>(tensors.keySet());
        if (shards == 1) {
            SafetensorsWriter w = new SafetensorsWriter();
            names.forEach(n -> w.add(n, tensors.get(n), typeFor(tensors.get(n), dtype)));
            w.write(folder.resolve(Checkpoint.SINGLE_FILE));
            return;
        }
        JsonObject weightMap = new JsonObject();
        long total = 0;
        int perShard = (names.size() + shards - 1) / shards;
        for (int s = 0; s < shards; s++) {
            String file = String.format("model-%05d-of-%05d.safetensors", s + 1, shards);
            SafetensorsWriter w = new SafetensorsWriter();
            for (int i = s * perShard; i < Math.min(names.size(), (s + 1) * perShard); i++) {
                String n = names.get(i);
                w.add(n, tensors.get(n), typeFor(tensors.get(n), dtype));
                weightMap.addProperty(n, file);
            }
            total += w.dataBytes();
            w.write(folder.resolve(file));
        }
        JsonObject index = new JsonObject();
        JsonObject meta = new JsonObject();
        meta.addProperty("total_size", total);
        index.add("metadata", meta);
        index.add("weight_map", weightMap);
        writeJsonAtomically(folder.resolve(Checkpoint.INDEX_FILE), index);
    }

    /** Integer tensors keep their type; floating ones take the requested storage type. */
    private static DType typeFor(NDArray a, DType requested) {
        DType own = DType.fromDjl(a.getDataType());
        return own.isFloatingPoint() ? requested : own;
    }

    public static void writeJsonAtomically(Path file, Object json) {
        String text = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json) + "\n";
        writeStringAtomically(file, text);
    }

    public static void writeStringAtomically(Path file, String text) {
        Path tmp = file.resolveSibling(file.getFileName() + ".partial");
        try {
            Files.writeString(tmp, text);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // The write already failed; the .partial name marks the leftover as unfinished.
            }
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }
}
