package org.lvlmworkbench.core.loading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.cli.Main;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.export.WeightsWriter;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.testing.TinyModels;

/**
 * Weights with NaN or infinite values load with a warning naming the file and the tensor;
 * configuration values that cannot work are refused with the file and the field.
 */
class WeightSanityTest {

    private static final String BAD = "language_model.model.layers.1.mlp.down_proj.weight";
    private static final String INF = "multi_modal_projector.linear_1.bias";

    @TempDir
    Path dir;

    private Path copyOfTiny(String name) throws IOException {
        return TinyModels.copyOfLegacyF32(dir.resolve(name));
    }

    private Path withConfig(Consumer<JsonObject> edit) throws IOException {
        Path m = copyOfTiny("cfg");
        Path cfg = m.resolve("config.json");
        JsonObject o = JsonParser.parseString(Files.readString(cfg)).getAsJsonObject();
        edit.accept(o);
        Files.writeString(cfg, o.toString());
        return m;
    }

    @Test
    void nonFiniteWeightsAreWarnedAboutByNameAtLoadAndByTheCli() throws IOException {
        Path m = copyOfTiny("nan");
        try (LoadedModel clean = TinyModels.load(m); NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            assertEquals(List.of(), clean.warnings());
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            clean.model().parameters().forEach((name, p) -> {
                NDArray copy = p.duplicate();
                copy.attach(manager);
                tensors.put(name, copy);
            });
            tensors.get(BAD).set(new ai.djl.ndarray.index.NDIndex("0, 0:3"), Float.NaN);
            tensors.get(INF).set(new ai.djl.ndarray.index.NDIndex("1"), Float.NEGATIVE_INFINITY);
            WeightsWriter.write(m, tensors, DType.F32, 1);
        }
        try (LoadedModel broken = TinyModels.load(m)) {
            List<String> w = broken.allWarnings();
            assertEquals(2, w.size(), w.toString());
            String file = m.resolve(Checkpoint.SINGLE_FILE).toString();
            assertTrue(w.stream().anyMatch(s -> s.startsWith(file) && s.contains("'" + BAD + "'")
                    && s.contains("3 NaN values")), w.toString());
            assertTrue(w.stream().anyMatch(s -> s.contains("'" + INF + "'") && s.contains("1 infinite value")),
                    w.toString());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "run", "--model", m.toString(),
                "--prompt", "what color is the circle?", "--max-new-tokens", "2");
        assertTrue(err.toString().startsWith("warning: " + m.resolve(Checkpoint.SINGLE_FILE))
                && err.toString().contains(BAD), err.toString());
    }

    @Test
    void ropeThetaZeroIsRefusedWithFileAndField() throws IOException {
        Path m = withConfig(o -> o.getAsJsonObject("text_config").addProperty("rope_theta", 0));
        ConfigException e = assertThrows(ConfigException.class, () -> TinyModels.load(m));
        assertEquals("text_config.rope_theta", e.field());
        assertEquals(m.resolve("config.json"), e.file());

        Path v5 = withConfigAgain(o -> {
            JsonObject rp = new JsonObject();
            rp.addProperty("rope_type", "default");
            rp.addProperty("rope_theta", -1.0);
            o.getAsJsonObject("text_config").add("rope_parameters", rp);
        });
        assertEquals("text_config.rope_parameters.rope_theta",
                assertThrows(ConfigException.class, () -> TinyModels.load(v5)).field());
    }

    @Test
    void otherValuesThatCannotWorkAreRefusedWithTheField() throws IOException {
        Map<String, Consumer<JsonObject>> cases = new LinkedHashMap<>();
        cases.put("text_config.rms_norm_eps", o -> o.getAsJsonObject("text_config").addProperty("rms_norm_eps", 0.0));
        cases.put("vision_config.layer_norm_eps",
                o -> o.getAsJsonObject("vision_config").addProperty("layer_norm_eps", -1e-5));
        cases.put("text_config.max_position_embeddings",
                o -> o.getAsJsonObject("text_config").addProperty("max_position_embeddings", 0));
        cases.put("text_config.vocab_size", o -> o.getAsJsonObject("text_config").addProperty("vocab_size", 0));
        cases.put("text_config.hidden_size", o -> o.getAsJsonObject("text_config").addProperty("hidden_size", -48));
        cases.put("text_config.head_dim", o -> o.getAsJsonObject("text_config").addProperty("head_dim", 11));
        cases.put("text_config.rope_scaling.factor", o -> o.getAsJsonObject("text_config").add("rope_scaling",
                JsonParser.parseString("{\"rope_type\": \"linear\", \"factor\": 0}")));
        cases.put("text_config.rope_parameters.low_freq_factor", o -> o.getAsJsonObject("text_config").add(
                "rope_parameters", JsonParser.parseString("{\"rope_type\": \"llama3\", \"factor\": 8, "
                        + "\"low_freq_factor\": 4, \"high_freq_factor\": 4, \"original_max_position_embeddings\": 64}")));
        for (Map.Entry<String, Consumer<JsonObject>> c : cases.entrySet()) {
            Path m = withConfigAgain(c.getValue());
            ConfigException e = assertThrows(ConfigException.class, () -> TinyModels.load(m), c.getKey());
            assertEquals(c.getKey(), e.field(), e.getMessage());
        }
    }

    @Test
    void imageTokenIdIsTheAliasTransformersLetsWin() throws IOException {
        int original;
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32())) {
            original = (int) m.model().imageTokenId();
        }
        Path m = withConfig(o -> {
            o.addProperty("image_token_id", original);
            o.addProperty("image_token_index", original + 1);
        });
        try (LoadedModel both = TinyModels.load(m)) {
            assertEquals(original, both.model().imageTokenId());
        }
        Path onlyId = withConfigAgain(o -> {
            o.remove("image_token_index");
            o.addProperty("image_token_id", 10_000);
        });
        assertEquals("image_token_id", assertThrows(ConfigException.class, () -> TinyModels.load(onlyId)).field());
    }

    private Path withConfigAgain(Consumer<JsonObject> edit) throws IOException {
        Path m = dir.resolve("cfg");
        if (Files.exists(m)) {
            try (Stream<Path> files = Files.walk(m)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        return withConfig(edit);
    }
}
