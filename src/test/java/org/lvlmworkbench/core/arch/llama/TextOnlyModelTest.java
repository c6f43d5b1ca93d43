package org.lvlmworkbench.core.arch.llama;

import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.testing.TinyModels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.export.WeightsWriter;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.safetensors.DType;

/** Text-only Llama and Qwen2 checkpoints open with the same decoder the LLaVA uses. */
class TextOnlyModelTest {

    @TempDir
    Path dir;

    /** Rewrites the tiny LLaVA's decoder as a {@code LlamaForCausalLM}/{@code Qwen2ForCausalLM} folder. */
    private Path textOnly(String modelType, float qkvBias) throws Exception {
        Path src = TinyModels.legacyF32();
        Path out = dir.resolve(modelType);
        Files.createDirectories(out);
        JsonObject llava = JsonParser.parseString(Files.readString(src.resolve("config.json"))).getAsJsonObject();
        JsonObject text = llava.getAsJsonObject("text_config");
        text.addProperty("model_type", modelType);
        Files.writeString(out.resolve("config.json"), text.toString());
        for (String f : new String[] {"tokenizer.json", "tokenizer_config.json", "generation_config.json"}) {
            Files.copy(src.resolve(f), out.resolve(f));
        }
        try (LoadedModel m = TinyModels.load(src); NDManager manager = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            m.model().parameters().forEach((name, p) -> {
                if (name.startsWith("language_model.model.")) {
                    tensors.put("model." + name.substring("language_model.model.".length()), p);
                } else if (name.equals("language_model.lm_head.weight")) {
                    tensors.put("lm_head.weight", p);
                }
            });
            if (modelType.equals("qwen2")) {
                for (int i = 0; i < m.model().decoder().numLayers(); i++) {
                    var layer = ((org.lvlmworkbench.core.arch.llava.LlavaModel) m.model()).decoder().layers().get(i);
                    tensors.put("model.layers." + i + ".self_attn.q_proj.bias",
                            manager.full(new Shape(layer.q.outFeatures()), qkvBias));
                    tensors.put("model.layers." + i + ".self_attn.k_proj.bias",
                            manager.full(new Shape(layer.k.outFeatures()), qkvBias));
                    tensors.put("model.layers." + i + ".self_attn.v_proj.bias",
                            manager.full(new Shape(layer.v.outFeatures()), qkvBias));
                }
            }
            WeightsWriter.write(out, tensors, DType.F32, 1);
        }
        return out;
    }

    private static float[] logits(LoadedModel m, long[] ids) {
        try (NDManager s = m.model().manager().newSubManager()) {
            return m.model().forward(s.create(ids, new Shape(1, ids.length)), null, Hooks.NONE, null).toFloatArray();
        }
    }

    @Test
    void llamaAndQwen2MatchTheLlavaDecoderOnText() throws Exception {
        long[] ids;
        float[] reference;
        try (LoadedModel llava = TinyModels.load(TinyModels.legacyF32())) {
            ids = llava.tokenizer().encode("what color is the circle ?", true);
            reference = logits(llava, ids);
        }
        try (LoadedModel llama = ModelLoader.load(textOnly("llama", 0f), Device.cpu())) {
            assertEquals("llama", llama.model().modelType());
            assertFalse(llama.acceptsImages());
            assertArrayEquals(reference, logits(llama, ids), 0f);
            assertThrows(IllegalArgumentException.class,
                    () -> llama.processor().encode("x", 1));
        }
        try (LoadedModel qwen = ModelLoader.load(textOnly("qwen2", 0f), Device.cpu())) {
            assertArrayEquals(reference, logits(qwen, ids), 1e-6f, "zero q/k/v biases change nothing");
        }
        Files.walk(dir.resolve("qwen2")).sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        try (LoadedModel qwen = ModelLoader.load(textOnly("qwen2", 0.5f), Device.cpu())) {
            float[] shifted = logits(qwen, ids);
            double diff = 0;
            for (int i = 0; i < shifted.length; i++) {
                diff = Math.max(diff, Math.abs(shifted[i] - reference[i]));
            }
            org.junit.jupiter.api.Assertions.assertTrue(diff > 1e-3, "q/k/v biases are applied");
        }
    }
}
