package org.lvlmworkbench.core.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.lvlmworkbench.core.safetensors.SafetensorsException.Rule;

/**
 * The weights of a checkpoint folder: one {@code model.safetensors}, or the shards listed by
 * {@code model.safetensors.index.json}. Tensors are looked up by name across shards.
 */
public final class Checkpoint implements AutoCloseable {

    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final Path folder;
    private final Map<String, SafetensorsFile> fileByTensor;
    private final Map<String, SafetensorsFile> shards;
    /** For a derived checkpoint: a tensor's name in its file where that differs from its name here. */
    private final Map<String, String> storedNames;

    private Checkpoint(Path folder, Map<String, SafetensorsFile> fileByTensor, Map<String, SafetensorsFile> shards) {
        this(folder, fileByTensor, shards, Map.of());
    }

    private Checkpoint(Path folder, Map<String, SafetensorsFile> fileByTensor, Map<String, SafetensorsFile> shards,
            Map<String, String> storedNames) {
        this.folder = folder;
        this.fileByTensor = fileByTensor;
        this.shards = shards;
        this.storedNames = storedNames;
    }

    /**
     * A checkpoint made of another one's tensors, some under new names, plus the tensors of
     * {@code added} (a file of new tensors, e.g. merged or factored weights): what a compression plan
     * builds its model from. Nothing is copied: a renamed tensor (layer 7 re-indexed as layer 5) still
     * reads the base's mapping. Closing it closes {@code base} and {@code added}.
     *
     * @param names the tensors taken from {@code base}, in order, as {@code name here → name in base}
     * @param added new tensors, or null; a name in both is refused
     */
    public static Checkpoint derived(Checkpoint base, Map<String, String> names, SafetensorsFile added) {
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        Map<String, String> stored = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : names.entrySet()) {
            String inBase = base.storedName(e.getValue());
            byTensor.put(e.getKey(), base.file(e.getValue()));
            if (!inBase.equals(e.getKey())) {
                stored.put(e.getKey(), inBase);
            }
        }
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>(base.shards);
        if (added != null) {
            for (String name : added.tensors().keySet()) {
                if (byTensor.put(name, added) != null) {
                    throw new SafetensorsException(added.path(), name, Rule.INDEX_MISMATCH,
                            "is both a new tensor and one taken from " + base.folder);
                }
            }
            shards.put(added.path().getFileName().toString(), added);
        }
        return new Checkpoint(base.folder, Collections.unmodifiableMap(byTensor), Collections.unmodifiableMap(shards),
                Collections.unmodifiableMap(stored));
    }

    /** The name {@code name} has inside its file (differs only in a derived checkpoint). */
    public String storedName(String name) {
        return storedNames.getOrDefault(name, name);
    }

    public static boolean existsIn(Path folder) {
        return Files.isRegularFile(folder.resolve(INDEX_FILE)) || Files.isRegularFile(folder.resolve(SINGLE_FILE));
    }

    public static Checkpoint open(Path folder) {
        Path index = folder.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openSharded(folder, index);
        }
        Path single = folder.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new SafetensorsException(folder, null, Rule.FILE_UNREADABLE,
                    "neither " + SINGLE_FILE + " nor " + INDEX_FILE + " is in the folder");
        }
        SafetensorsFile file = SafetensorsFile.open(single);
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        for (String name : file.tensors().keySet()) {
            byTensor.put(name, file);
        }
        return new Checkpoint(folder, Collections.unmodifiableMap(byTensor), Map.of(SINGLE_FILE, file));
    }

    private static Checkpoint openSharded(Path folder, Path index) {
        JsonObject weightMap;
        try {
            JsonElement root = JsonParser.parseString(Files.readString(index));
            if (!root.isJsonObject() || !root.getAsJsonObject().has("weight_map")
                    || !root.getAsJsonObject().get("weight_map").isJsonObject()) {
                throw new SafetensorsException(index, null, Rule.BAD_INDEX, "missing object field 'weight_map'");
            }
            weightMap = root.getAsJsonObject().getAsJsonObject("weight_map");
        } catch (IOException e) {
            throw new SafetensorsException(index, null, Rule.FILE_UNREADABLE, e.toString(), e);
        } catch (JsonParseException | IllegalStateException e) {
            throw new SafetensorsException(index, null, Rule.BAD_INDEX, e.getMessage(), e);
        }
        Path base = folder.toAbsolutePath().normalize();
        Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
                String tensor = e.getKey();
                if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                    throw new SafetensorsException(index, tensor, Rule.BAD_INDEX, "shard name is not a string");
                }
                String shardName = e.getValue().getAsString();
                SafetensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    Path shardPath = resolveInside(index, tensor, base, shardName);
                    if (!Files.isRegularFile(shardPath)) {
                        throw new SafetensorsException(index, tensor, Rule.SHARD_MISSING, shardName);
                    }
                    shard = SafetensorsFile.open(shardPath);
                    shards.put(shardName, shard);
                }
                if (!shard.contains(tensor)) {
                    throw new SafetensorsException(index, tensor, Rule.INDEX_MISMATCH,
                            "index says " + shardName + " but that shard lacks it");
                }
                byTensor.put(tensor, shard);
            }
        } catch (RuntimeException ex) {
            shards.values().forEach(SafetensorsFile::close);
            throw ex;
        }
        return new Checkpoint(folder, Collections.unmodifiableMap(byTensor), Collections.unmodifiableMap(shards));
    }

    /** Refuses shard names that would read a file outside the checkpoint folder. */
    private static Path resolveInside(Path index, String tensor, Path base, String shardName) {
        Path name;
        try {
            name = Path.of(shardName);
        } catch (RuntimeException e) {
            throw new SafetensorsException(index, tensor, Rule.SHARD_ESCAPES_FOLDER, shardName);
        }
        if (name.isAbsolute() || shardName.contains("..") || shardName.startsWith("/") || shardName.contains("\\")) {
            throw new SafetensorsException(index, tensor, Rule.SHARD_ESCAPES_FOLDER, shardName);
        }
        Path resolved = base.resolve(name).normalize();
        if (!resolved.startsWith(base) || resolved.equals(base)) {
            throw new SafetensorsException(index, tensor, Rule.SHARD_ESCAPES_FOLDER, shardName);
        }
        return resolved;
    }

    public Path folder() {
        return folder;
    }

    public boolean isSharded() {
        return shards.size() > 1 || !shards.containsKey(SINGLE_FILE);
    }

    public Set<String> names() {
        return fileByTensor.keySet();
    }

    public boolean contains(String name) {
        return fileByTensor.containsKey(name);
    }

    public TensorEntry entry(String name) {
        return file(name).entry(storedName(name));
    }

    public NDArray load(String name, NDManager manager) {
        NDArray array = file(name).toNDArray(storedName(name), manager);
        array.setName(name);
        return array;
    }

    /** The tensor's bytes, copy-on-write mapped (see {@link SafetensorsFile#bytes}). */
    public ByteBuffer bytes(String name) {
        return file(name).bytes(storedName(name));
    }

    /** The tensor's bytes, mapped read-only (see {@link SafetensorsFile#readOnlyBytes}). */
    public ByteBuffer readOnlyBytes(String name) {
        return file(name).readOnlyBytes(storedName(name));
    }

    public Map<String, SafetensorsFile> shards() {
        return shards;
    }

    public SafetensorsFile file(String name) {
        SafetensorsFile f = fileByTensor.get(name);
        if (f == null) {
            throw new SafetensorsException(folder, name, Rule.TENSOR_NOT_FOUND, null);
        }
        return f;
    }

    @Override
    public void close() {
        shards.values().forEach(SafetensorsFile::close);
    }
}
