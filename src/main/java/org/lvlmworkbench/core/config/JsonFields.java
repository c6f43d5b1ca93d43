package org.lvlmworkbench.core.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Typed access to one JSON object of a configuration file. Every failure names the file and the
 * dotted field path, because "expected a number" alone tells a user nothing.
 */
public final class JsonFields {

    private final Path file;
    private final String prefix;
    private final JsonObject object;

    public JsonFields(Path file, String prefix, JsonObject object) {
        this.file = file;
        this.prefix = prefix;
        this.object = object;
    }

    public static JsonFields read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file, null, "file is missing");
        }
        try {
            JsonElement root = JsonParser.parseString(Files.readString(file));
            if (!root.isJsonObject()) {
                throw new ConfigException(file, null, "top level is not a JSON object");
            }
            return new JsonFields(file, "", root.getAsJsonObject());
        } catch (IOException e) {
            throw new ConfigException(file, null, "cannot be read: " + e, e);
        } catch (JsonParseException e) {
            throw new ConfigException(file, null, "is not valid JSON: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    public JsonObject raw() {
        return object;
    }

    public String path(String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }

    public boolean has(String field) {
        return object.has(field) && !object.get(field).isJsonNull();
    }

    public ConfigException error(String field, String problem) {
        return new ConfigException(file, path(field), problem);
    }

    public JsonFields object(String field) {
        JsonElement e = object.get(field);
        if (e == null || e.isJsonNull()) {
            throw error(field, "is missing");
        }
        if (!e.isJsonObject()) {
            throw error(field, "must be an object");
        }
        return new JsonFields(file, path(field), e.getAsJsonObject());
    }

    public Optional<JsonFields> optionalObject(String field) {
        return has(field) ? Optional.of(object(field)) : Optional.empty();
    }

    public String string(String field) {
        JsonPrimitive p = primitive(field);
        if (!p.isString()) {
            throw error(field, "must be a string, found " + p);
        }
        return p.getAsString();
    }

    public String string(String field, String fallback) {
        return has(field) ? string(field) : fallback;
    }

    public int integer(String field) {
        JsonPrimitive p = primitive(field);
        if (!p.isNumber()) {
            throw error(field, "must be an integer, found " + p);
        }
        double d = p.getAsDouble();
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw error(field, "must be an integer, found " + p);
        }
        return (int) d;
    }

    public int integer(String field, int fallback) {
        return has(field) ? integer(field) : fallback;
    }

    public int positive(String field, int fallback) {
        int v = integer(field, fallback);
        if (v <= 0) {
            throw error(field, "must be positive, found " + v);
        }
        return v;
    }

    public double number(String field) {
        JsonPrimitive p = primitive(field);
        if (!p.isNumber()) {
            throw error(field, "must be a number, found " + p);
        }
        return p.getAsDouble();
    }

    public double number(String field, double fallback) {
        return has(field) ? number(field) : fallback;
    }

    public boolean bool(String field, boolean fallback) {
        if (!has(field)) {
            return fallback;
        }
        JsonPrimitive p = primitive(field);
        if (!p.isBoolean()) {
            throw error(field, "must be true or false, found " + p);
        }
        return p.getAsBoolean();
    }

    /** A field that may be one integer or a list of integers (e.g. eos_token_id). */
    public List<Integer> integers(String field) {
        List<Integer> out = new ArrayList<>();
        if (!has(field)) {
            return out;
        }
        JsonElement e = object.get(field);
        if (e.isJsonArray()) {
            JsonArray a = e.getAsJsonArray();
            for (int i = 0; i < a.size(); i++) {
                JsonElement x = a.get(i);
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                    throw error(field + "[" + i + "]", "must be an integer, found " + x);
                }
                out.add(x.getAsInt());
            }
        } else {
            out.add(integer(field));
        }
        return out;
    }

    public double[] numbers(String field) {
        JsonElement e = object.get(field);
        if (e == null || e.isJsonNull()) {
            throw error(field, "is missing");
        }
        if (!e.isJsonArray()) {
            throw error(field, "must be a list of numbers");
        }
        JsonArray a = e.getAsJsonArray();
        double[] out = new double[a.size()];
        for (int i = 0; i < a.size(); i++) {
            JsonElement x = a.get(i);
            if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                throw error(field + "[" + i + "]", "must be a number, found " + x);
            }
            out[i] = x.getAsDouble();
        }
        return out;
    }

    private JsonPrimitive primitive(String field) {
        JsonElement e = object.get(field);
        if (e == null || e.isJsonNull()) {
            throw error(field, "is missing");
        }
        if (!e.isJsonPrimitive()) {
            throw error(field, "must be a single value, found " + e);
        }
        return e.getAsJsonPrimitive();
    }
}
