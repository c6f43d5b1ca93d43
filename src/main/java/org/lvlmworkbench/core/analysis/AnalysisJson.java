package org.lvlmworkbench.core.analysis;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The JSON form of analysis results: the records as they are, paths as strings, NaN and infinities
 * written as the bare words Python's {@code json} reads ({@code NaN}, {@code Infinity}).
 */
public final class AnalysisJson {

    private static final Gson GSON = new GsonBuilder()
            .serializeSpecialFloatingPointValues()
            .registerTypeHierarchyAdapter(Path.class, new PathAdapter())
            .disableHtmlEscaping()
            .create();

    private AnalysisJson() {
    }

    public static Gson gson() {
        return GSON;
    }

    private static final class PathAdapter extends TypeAdapter<Path> {
        @Override
        public void write(JsonWriter out, Path value) throws IOException {
            if (value == null) {
                out.nullValue();
            } else {
                out.value(value.toString());
            }
        }

        @Override
        public Path read(JsonReader in) throws IOException {
            if (in.peek() == JsonToken.NULL) {
                in.nextNull();
                return null;
            }
            return Path.of(in.nextString());
        }
    }
}
