package org.lvlmworkbench.core.loading;

import org.lvlmworkbench.core.nn.WeightException;
import org.lvlmworkbench.testing.TinyModels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.config.ConfigException;

/** A broken model folder fails with the file and the field named, and is never modified. */
class ModelLoaderErrorsTest {

    @TempDir
    Path dir;

    private Path copyOfTiny() throws IOException {
        return TinyModels.copyOfLegacyF32(dir.resolve("model"));
    }

    private void editConfig(Path folder, java.util.function.Consumer<JsonObject> edit) throws IOException {
        Path cfg = folder.resolve("config.json");
        JsonObject o = JsonParser.parseString(Files.readString(cfg)).getAsJsonObject();
        edit.accept(o);
        Files.writeString(cfg, o.toString());
    }

    @Test
    void missingModelType() throws IOException {
        Path m = copyOfTiny();
        editConfig(m, o -> o.remove("model_type"));
        ConfigException e = assertThrows(ConfigException.class, () -> TinyModels.load(m));
        assertEquals("model_type", e.field());
        assertEquals(m.resolve("config.json"), e.file());
    }

    @Test
    void unsupportedModelTypeListsWhatIsSupported() throws IOException {
        Path m = copyOfTiny();
        editConfig(m, o -> o.addProperty("model_type", "mamba"));
        ConfigException e = assertThrows(ConfigException.class, () -> TinyModels.load(m));
        assertTrue(e.getMessage().contains("llava"), e.getMessage());
    }

    @Test
    void wrongFieldTypeNamesTheNestedField() throws IOException {
        Path m = copyOfTiny();
        editConfig(m, o -> o.getAsJsonObject("text_config").addProperty("hidden_size", "wide"));
        ConfigException e = assertThrows(ConfigException.class, () -> TinyModels.load(m));
        assertEquals("text_config.hidden_size", e.field());
    }

    @Test
    void configThatDisagreesWithTheWeightsNamesTheTensor() throws IOException {
        Path m = copyOfTiny();
        editConfig(m, o -> o.getAsJsonObject("text_config").addProperty("intermediate_size", 100));
        WeightException e = assertThrows(WeightException.class, () -> TinyModels.load(m));
        assertEquals("language_model.model.layers.0.mlp.gate_proj.weight", e.tensor());
        assertTrue(e.getMessage().contains("[96, 48]") && e.getMessage().contains("[100, 48]"), e.getMessage());
    }

    @Test
    void extraLayerInConfigIsAMissingTensor() throws IOException {
        Path m = copyOfTiny();
        editConfig(m, o -> o.getAsJsonObject("text_config").addProperty("num_hidden_layers", 4));
        WeightException e = assertThrows(WeightException.class, () -> TinyModels.load(m));
        assertTrue(e.tensor().startsWith("language_model.model.layers.3."), e.tensor());
    }

    @Test
    void fewerLayersInConfigLeavesTensorsUnused() throws IOException {
        Path m = copyOfTiny();
        editConfig(m, o -> o.getAsJsonObject("text_config").addProperty("num_hidden_layers", 2));
        WeightException e = assertThrows(WeightException.class, () -> TinyModels.load(m));
        assertTrue(e.getMessage().contains("not used"), e.getMessage());
    }

    @Test
    void missingTokenizerAndProcessorAreNamed() throws IOException {
        Path m = copyOfTiny();
        Files.delete(m.resolve("preprocessor_config.json"));
        ConfigException e = assertThrows(ConfigException.class, () -> TinyModels.load(m));
        assertEquals(m.resolve("preprocessor_config.json"), e.file());
        Files.delete(m.resolve("tokenizer.json"));
        e = assertThrows(ConfigException.class, () -> TinyModels.load(m));
        assertEquals(m.resolve("tokenizer.json"), e.file());
    }

    @Test
    void badProcessorFieldIsNamed() throws IOException {
        Path m = copyOfTiny();
        Files.writeString(m.resolve("preprocessor_config.json"), "{\"image_mean\": [0.5, 0.5]}");
        ConfigException e = assertThrows(ConfigException.class, () -> TinyModels.load(m));
        assertEquals("image_mean", e.field());
    }

    @Test
    void loadingNeverModifiesTheFolder() throws IOException {
        Path m = copyOfTiny();
        byte[] before = Files.readAllBytes(m.resolve("model.safetensors"));
        long modified = Files.getLastModifiedTime(m.resolve("model.safetensors")).toMillis();
        try (LoadedModel loaded = TinyModels.load(m)) {
            loaded.model().parameters().values().forEach(p -> p.muli(0f));
        }
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(m.resolve("model.safetensors"))));
        assertEquals(modified, Files.getLastModifiedTime(m.resolve("model.safetensors")).toMillis());
    }

    @Test
    void notAFolder() {
        ConfigException e = assertThrows(ConfigException.class, () -> TinyModels.load(dir.resolve("absent")));
        assertTrue(e.getMessage().contains("absent"));
    }
}
