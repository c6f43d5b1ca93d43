package org.lvlmworkbench.core.arch.llama;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.testing.TinyModels;

/**
 * Rotary settings in both forms transformers has written: v5's {@code rope_parameters} and the
 * legacy {@code rope_theta} + {@code rope_scaling}, read with transformers 5.18's precedence.
 */
class RopeParametersTest {

    /**
     * Exactly what transformers 5.18.0 writes for
     * {@code LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=2,
     * num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=131072, rope_parameters={...llama3...})
     * .save_pretrained(dir)}.
     */
    static final String TRANSFORMERS_5_LLAMA3 = """
            {
              "attention_bias": false,
              "attention_dropout": 0.0,
              "bos_token_id": 1,
              "eos_token_id": 2,
              "head_dim": 8,
              "hidden_act": "silu",
              "hidden_size": 32,
              "initializer_range": 0.02,
              "intermediate_size": 64,
              "max_position_embeddings": 131072,
              "mlp_bias": false,
              "model_type": "llama",
              "num_attention_heads": 4,
              "num_hidden_layers": 2,
              "num_key_value_heads": 2,
              "pad_token_id": null,
              "pretraining_tp": 1,
              "rms_norm_eps": 1e-06,
              "rope_parameters": {
                "factor": 8.0,
                "high_freq_factor": 4.0,
                "low_freq_factor": 1.0,
                "original_max_position_embeddings": 8192,
                "rope_theta": 500000.0,
                "rope_type": "llama3"
              },
              "tie_word_embeddings": false,
              "transformers_version": "5.18.0",
              "use_cache": true,
              "vocab_size": 64
            }
            """;

    /** {@code LlamaRotaryEmbedding(AutoConfig.from_pretrained(dir)).inv_freq} for the config above (torch 2.13). */
    static final float[] TRANSFORMERS_INV_FREQ = {1.0f, 0.03760603070259094f, 0.0005248460220173001f,
        6.647869668086059e-06f};

    @TempDir
    Path dir;

    private static JsonObject json(String text) {
        return JsonParser.parseString(text).getAsJsonObject();
    }

    private static DecoderConfig parse(JsonObject config) {
        return DecoderConfig.parse(new JsonFields(Path.of("config.json"), "", config));
    }

    private static JsonObject withoutRope() {
        JsonObject o = json(TRANSFORMERS_5_LLAMA3);
        o.remove("rope_parameters");
        return o;
    }

    @Test
    void transformers5RopeParametersAreReadAndGiveTransformersFrequencies() {
        DecoderConfig c = parse(json(TRANSFORMERS_5_LLAMA3));
        assertEquals(500000.0, c.ropeTheta());
        assertEquals(new RopeScaling("llama3", 8.0, 1.0, 4.0, 8192), c.ropeScaling());
        assertArrayEquals(TRANSFORMERS_INV_FREQ, c.ropeScaling().inverseFrequencies(c.headDim(), c.ropeTheta()), 0f);
    }

    @Test
    void legacyRopeThetaAndRopeScalingGiveTheSameSettings() {
        JsonObject legacy = withoutRope();
        legacy.addProperty("rope_theta", 500000.0);
        legacy.add("rope_scaling", json("""
                {"type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                 "original_max_position_embeddings": 8192}"""));
        DecoderConfig c = parse(legacy);
        assertEquals(parse(json(TRANSFORMERS_5_LLAMA3)), c);

        JsonObject onlyTheta = withoutRope();
        onlyTheta.addProperty("rope_theta", 123.0);
        assertEquals(123.0, parse(onlyTheta).ropeTheta());
        assertEquals(RopeScaling.NONE, parse(onlyTheta).ropeScaling());
        assertEquals(RopeScaling.DEFAULT_THETA, parse(withoutRope()).ropeTheta(), "neither form: transformers' 10000");
    }

    @Test
    void precedenceFollowsTransformers() {
        // rope_scaling (non-empty) replaces rope_parameters entirely; the top-level rope_theta fills it in.
        JsonObject both = withoutRope();
        both.add("rope_parameters", json("{\"rope_type\": \"default\", \"rope_theta\": 7.0}"));
        both.add("rope_scaling", json("{\"type\": \"linear\", \"factor\": 2.0}"));
        both.addProperty("rope_theta", 99.0);
        DecoderConfig c = parse(both);
        assertEquals(99.0, c.ropeTheta());
        assertEquals("linear", c.ropeScaling().type());
        assertEquals(2.0, c.ropeScaling().factor());

        // An empty or null rope_scaling leaves rope_parameters in charge; its θ beats the top-level one.
        JsonObject emptyScaling = withoutRope();
        emptyScaling.add("rope_parameters", json("{\"rope_type\": \"linear\", \"factor\": 3.0, \"rope_theta\": 5.0}"));
        emptyScaling.add("rope_scaling", new JsonObject());
        emptyScaling.addProperty("rope_theta", 123.0);
        assertEquals(5.0, parse(emptyScaling).ropeTheta());
        assertEquals(3.0, parse(emptyScaling).ropeScaling().factor());

        // rope_parameters without θ takes the top-level rope_theta.
        JsonObject noTheta = withoutRope();
        noTheta.add("rope_parameters", json("{\"rope_type\": \"default\"}"));
        noTheta.addProperty("rope_theta", 123.0);
        assertEquals(123.0, parse(noTheta).ropeTheta());

        // rope_type beats the legacy type key.
        JsonObject typeKeys = withoutRope();
        typeKeys.add("rope_parameters", json("{\"rope_type\": \"default\", \"type\": \"linear\", \"factor\": 2.0}"));
        assertEquals(RopeScaling.NONE, parse(typeKeys).ropeScaling());

        // llama3 without original_max_position_embeddings takes max_position_embeddings; a top-level one wins.
        JsonObject fallback = withoutRope();
        fallback.add("rope_parameters", json("""
                {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0}"""));
        assertEquals(131072, parse(fallback).ropeScaling().originalMaxPositions());
        fallback.getAsJsonObject("rope_parameters").addProperty("original_max_position_embeddings", 100);
        fallback.addProperty("original_max_position_embeddings", 200);
        assertEquals(200, parse(fallback).ropeScaling().originalMaxPositions());
    }

    @Test
    void unknownOrUnimplementedTypesAreErrorsNamingTheField() {
        for (String type : new String[] {"foo", "yarn", "dynamic", "longrope"}) {
            JsonObject o = json(TRANSFORMERS_5_LLAMA3);
            o.getAsJsonObject("rope_parameters").addProperty("rope_type", type);
            ConfigException e = assertThrows(ConfigException.class, () -> parse(o));
            assertEquals("rope_parameters.rope_type", e.field(), e.getMessage());
            assertTrue(e.getMessage().contains("'" + type + "'"), e.getMessage());
        }
        JsonObject legacy = withoutRope();
        legacy.add("rope_scaling", json("{\"type\": \"yarn\", \"factor\": 4.0}"));
        assertEquals("rope_scaling.type", assertThrows(ConfigException.class, () -> parse(legacy)).field());

        JsonObject missing = json(TRANSFORMERS_5_LLAMA3);
        missing.getAsJsonObject("rope_parameters").remove("low_freq_factor");
        assertEquals("rope_parameters.low_freq_factor", assertThrows(ConfigException.class, () -> parse(missing)).field(),
                "transformers raises KeyError for a missing llama3 key; no silent default");
        JsonObject linear = withoutRope();
        linear.add("rope_parameters", json("{\"rope_type\": \"linear\"}"));
        assertEquals("rope_parameters.factor", assertThrows(ConfigException.class, () -> parse(linear)).field());
    }

    @Test
    void bothFormsInsideTextConfigRunTheSameModelAndChangeIt() throws IOException {
        Path v5 = copyOfTiny("v5", text -> {
            text.remove("rope_theta");
            text.add("rope_parameters", json("{\"rope_theta\": 500000.0, \"rope_type\": \"default\"}"));
        });
        Path legacy = copyOfTiny("legacy", text -> text.addProperty("rope_theta", 500000.0));
        Path original = TinyModels.legacyF32();
        float[] a = logits(v5);
        float[] b = logits(legacy);
        float[] c = logits(original);
        assertArrayEquals(b, a, 0f);
        assertFalse(java.util.Arrays.equals(a, c), "θ 500000 is used, not the 10000 fallback");
        try (LoadedModel m = TinyModels.load(v5)) {
            String card = m.card().toString();
            assertTrue(m.model().describe().toString().contains("θ 500000"), card);
        }
    }

    private Path copyOfTiny(String name, Consumer<JsonObject> editText) throws IOException {
        Path dst = TinyModels.copyOfLegacyF32(dir.resolve(name));
        Path cfg = dst.resolve("config.json");
        JsonObject o = json(Files.readString(cfg));
        editText.accept(o.getAsJsonObject("text_config"));
        Files.writeString(cfg, o.toString());
        return dst;
    }

    private static float[] logits(Path folder) {
        try (LoadedModel m = TinyModels.load(folder)) {
            long[] ids = m.tokenizer().encode("what color is the circle ? what shape is red ?", true);
            try (NDManager s = m.model().manager().newSubManager()) {
                return m.model().forward(s.create(ids, new Shape(1, ids.length)), null, Hooks.NONE, null).toFloatArray();
            }
        }
    }
}
