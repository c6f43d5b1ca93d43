package org.lvlmworkbench.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.processing.TextTokenizer;
import org.lvlmworkbench.core.safetensors.DType;

/** The real-size shapes of make-random match the models they stand for, checked without writing gigabytes. */
class RandomPresetTest {

    @TempDir
    Path dir;

    private static long count(Map<String, long[]> shapes, String prefix) {
        return shapes.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .mapToLong(e -> Arrays.stream(e.getValue()).reduce(1, Math::multiplyExact)).sum();
    }

    @Test
    void llava7bHasLlava15sShapesAndParameterCount() {
        RandomPreset p = RandomPreset.LLAVA_7B;
        // llava-hf/llava-1.5-7b-hf: sum of numel over its safetensors, every tensor counted (untied head).
        assertEquals(7_063_427_072L, p.parameterCount());
        Map<String, long[]> shapes = LlavaFolderWriter.tensorShapes(p.spec(), LlavaKeyLayout.LEGACY, p.vocabSize());
        assertEquals(303_507_456L, count(shapes, "vision_tower."), "CLIP ViT-L/14-336, all 24 layers and post-norm");
        assertEquals(20_979_712L, count(shapes, "multi_modal_projector."), "1024 -> 4096 -> 4096 with biases");
        assertEquals(6_738_939_904L, count(shapes, "language_model."), "Vicuna-7B with a 32064-row vocabulary");
        assertEquals(576, p.spec().tokensPerImage());

        JsonObject c = LlavaFolderWriter.config(p.spec(), p.tokenizer(), p.defaultDtype());
        JsonObject t = c.getAsJsonObject("text_config");
        JsonObject v = c.getAsJsonObject("vision_config");
        assertEquals(4096, t.get("hidden_size").getAsInt());
        assertEquals(11008, t.get("intermediate_size").getAsInt());
        assertEquals(32, t.get("num_hidden_layers").getAsInt());
        assertEquals(32, t.get("num_attention_heads").getAsInt());
        assertEquals(32, t.get("num_key_value_heads").getAsInt());
        assertEquals(32064, t.get("vocab_size").getAsInt());
        assertEquals(4096, t.get("max_position_embeddings").getAsInt());
        assertEquals(1024, v.get("hidden_size").getAsInt());
        assertEquals(4096, v.get("intermediate_size").getAsInt());
        assertEquals(24, v.get("num_hidden_layers").getAsInt());
        assertEquals(16, v.get("num_attention_heads").getAsInt());
        assertEquals(336, v.get("image_size").getAsInt());
        assertEquals(14, v.get("patch_size").getAsInt());
        assertEquals(576, c.get("image_seq_length").getAsInt());
        assertEquals(-2, c.get("vision_feature_layer").getAsInt());
        assertEquals("bfloat16", c.get("torch_dtype").getAsString());
        assertEquals(false, c.get("tie_word_embeddings").getAsBoolean());

        StreamingRandomWriter.Plan plan = RandomCheckpoints.plan(RandomCheckpoints.Options.of(p, null, 1));
        assertEquals(2 * 7_063_427_072L, plan.dataBytes(), "14.1 GB in BF16");
        assertEquals(3, plan.shards().size(), "three files of at most 5 GB, as the Hub's");
        assertTrue(plan.shards().stream().allMatch(s -> s.bytes() <= StreamingRandomWriter.MAX_SHARD_BYTES));
        assertEquals("model-00001-of-00003.safetensors", plan.shards().get(0).file());
        assertEquals(262_668_288L, plan.maxTensorBytes(), "the largest tensor (embeddings, LM head) bounds the buffers");
    }

    @Test
    void tinyLlamaShapeHasTinyLlamasDecoderAndClipL336() {
        RandomPreset p = RandomPreset.TINYLLAMA_1_1B;
        Map<String, long[]> shapes = LlavaFolderWriter.tensorShapes(p.spec(), LlavaKeyLayout.LEGACY, p.vocabSize());
        // TinyLlama/TinyLlama-1.1B-Chat-v1.0 has 1,100,048,384 parameters.
        assertEquals(1_100_048_384L, count(shapes, "language_model."));
        assertEquals(303_507_456L, count(shapes, "vision_tower."));
        assertEquals(1024L * 2048 + 2048 + 2048L * 2048 + 2048, count(shapes, "multi_modal_projector."));
        assertEquals(1_409_851_392L, p.parameterCount());
        assertEquals(DType.BF16, p.defaultDtype());
        assertEquals(4, p.spec().textKvHeads());
        assertEquals(DType.F32, RandomPreset.TINY.defaultDtype());
        assertEquals(LlavaSpec.tiny(), RandomPreset.TINY.spec());
        assertEquals(RandomPreset.LLAVA_7B, RandomPreset.byOption("llava-7b"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RandomPreset.byOption("7b"));
        assertTrue(e.getMessage().contains("tinyllama-1.1b"), e.getMessage());
    }

    @Test
    void realSizeTokenizerCoversTheVocabularyAndTokenizesEnglish() {
        RandomPreset p = RandomPreset.TINYLLAMA_1_1B;
        WordLevelTokenizer tok = p.tokenizer();
        assertEquals(32000, tok.size());
        LlavaFolderWriter.writeAllButWeights(dir, p.spec(), tok, DType.BF16);
        JsonObject config = LlavaFolderWriter.config(p.spec(), tok, DType.BF16);
        try (TextTokenizer t = TextTokenizer.load(dir)) {
            long[] ids = t.encode("USER: <image>\nWhat color is the circle in this picture? Please describe it. "
                    + "ASSISTANT:", true);
            long unk = tok.id(WordLevelTokenizer.UNK);
            assertEquals(tok.id(WordLevelTokenizer.BOS), ids[0]);
            assertEquals(config.get("image_token_index").getAsLong(), ids[3], "<image> is the config's image token");
            for (long id : ids) {
                assertTrue(id >= 0 && id < 32000, "id " + id + " within vocab_size");
                assertNotEquals(unk, id, "every word of the prompt is in the vocabulary");
            }
            assertEquals("tok31999", t.decode(new long[] {31999}, true), "the last row is a filler token");
        }
    }
}
