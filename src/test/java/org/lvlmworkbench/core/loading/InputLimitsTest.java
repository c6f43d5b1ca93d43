package org.lvlmworkbench.core.loading;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.arch.llama.DecoderConfig;
import org.lvlmworkbench.core.arch.llava.LlavaModel;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.ActivationCache;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.testing.TinyModels;

/** Too-long prompts and prompts whose activations cannot fit are refused before anything runs. */
class InputLimitsTest {

    @TempDir
    Path dir;

    private static long[] prompt(LoadedModel m, int tokens) {
        long[] ids = new long[tokens];
        Arrays.fill(ids, m.tokenizer().encode("circle", false)[0]);
        return ids;
    }

    /** A hook that records whether the forward pass started. */
    private static Hooks tripwire(AtomicBoolean ran) {
        return new Hooks().replace(HookPoints.TEXT_EMBED, (point, x) -> {
            ran.set(true);
            return x;
        });
    }

    @Test
    void promptPlusNewTokensBeyondMaxPositionsIsRefusedBeforeRunning() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32())) {
            int limit = m.model().decoder().maxPositions();
            assertEquals(256, limit);
            AtomicBoolean ran = new AtomicBoolean();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Generator.generate(m,
                    prompt(m, limit - 5), null, GenerationSettings.greedy(6), tripwire(ran), null));
            assertFalse(ran.get(), "refused before the forward pass");
            String msg = e.getMessage();
            assertTrue(msg.contains("251 tokens") && msg.contains("6 new tokens") && msg.contains("at most 256")
                    && msg.contains("'text_config.max_position_embeddings'")
                    && msg.contains(m.folder().resolve("config.json").toString()), msg);

            Generator.generate(m, prompt(m, limit - 6), null, GenerationSettings.greedy(6), tripwire(ran), null);
            assertTrue(ran.get(), "exactly at the limit runs");
        }
    }

    @Test
    void estimateFollowsTheDocumentedFormula() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32())) {
            DecoderConfig c = ((LlavaModel) m.model()).decoder().config();
            long L = c.numLayers();
            long H = c.numHeads();
            long K = c.numKvHeads();
            long D = c.headDim();
            long d = c.hiddenSize();
            long I = c.intermediateSize();
            long V = c.vocabSize();
            long t = 100;
            long s = 110;
            ActivationMemory e = ActivationMemory.estimate(m.model(), t, 10, 0, Hooks.NONE);
            // One layer's scratch at a time; 100 rows of scores are far below the chunk size.
            assertEquals(4 * H * t * t * 4, e.attention());
            assertEquals(t * (10 * d + 5 * I + 10 * H * D + 8 * K * D) * 4 + 2 * t * d * 4, e.layers());
            assertEquals(3 * t * t * 4, e.causalMask());
            assertEquals(t * 4 * d * 4 + V * 4, e.embedAndLogits());
            assertEquals(2 * L * K * s * D * 4, e.kvCache());
            assertEquals(0, e.vision());
            assertEquals(0, e.hooks());

            try (ActivationCache cache = new ActivationCache(m.model().manager())) {
                Hooks capture = new Hooks().capture(Hooks.named("text.blocks.0.attn.pattern", "logits"), cache);
                ActivationMemory withHooks = ActivationMemory.estimate(m.model(), t, 10, 1, capture);
                assertEquals((H * t * t + t * V) * 4, withHooks.hooks());
                assertTrue(withHooks.vision() > 0, "an image runs the vision tower");
            }
        }
    }

    @Test
    void activationsThatCannotFitAreRefusedWithTheEstimateAndTheFreeMemory() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32())) {
            ActivationMemory e = ActivationMemory.estimate(m.model(), 200, 32, 1, Hooks.NONE);
            IllegalStateException ex = assertThrows(IllegalStateException.class,
                    () -> InputLimits.checkMemory(m, 200, 32, e, 1 << 20, "of memory", Long.MAX_VALUE));
            String msg = ex.getMessage();
            assertTrue(msg.contains("needs about " + ActivationMemory.gib(e.total())) && msg.contains("attention scores")
                    && msg.contains("only 1.0 MiB of memory is free"), msg);
            InputLimits.checkMemory(m, 200, 32, e, 1L << 34, "of memory", Long.MAX_VALUE);
        }
    }

    @Test
    void aPromptThatOverflowedTheCausalMaskIsRefusedNotCrashed() throws IOException {
        Path folder = copyOfTiny();
        Path cfg = folder.resolve("config.json");
        JsonObject o = JsonParser.parseString(Files.readString(cfg)).getAsJsonObject();
        o.getAsJsonObject("text_config").addProperty("max_position_embeddings", 1_000_000);
        Files.writeString(cfg, o.toString());
        try (LoadedModel m = TinyModels.load(folder)) {
            AtomicBoolean ran = new AtomicBoolean();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Generator.generate(m,
                    prompt(m, 40_000), null, GenerationSettings.greedy(4), tripwire(ran), null));
            assertFalse(ran.get());
            assertTrue(e.getMessage().contains("40,000 tokens"), e.getMessage());
        }
    }

    private Path copyOfTiny() throws IOException {
        return TinyModels.copyOfLegacyF32(dir.resolve("model"));
    }
}
