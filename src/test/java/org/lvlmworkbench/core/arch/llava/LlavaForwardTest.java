package org.lvlmworkbench.core.arch.llava;

import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.testing.TinyModels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.safetensors.DType;

class LlavaForwardTest {

    static RgbImage testImage() {
        byte[] rgb = new byte[40 * 30 * 3];
        for (int y = 0; y < 30; y++) {
            for (int x = 0; x < 40; x++) {
                int i = (y * 40 + x) * 3;
                rgb[i] = (byte) (x * 6);
                rgb[i + 1] = (byte) (y * 8);
                rgb[i + 2] = (byte) ((x + y) % 2 == 0 ? 200 : 30);
            }
        }
        return new RgbImage(40, 30, rgb);
    }

    static float[] logits(LoadedModel m, long[] ids, RgbImage image) {
        try (NDManager scope = m.model().manager().newSubManager()) {
            NDArray pixels = image == null ? null : m.processor().pixelValues(List.of(image), scope);
            NDArray tokens = scope.create(ids, new Shape(1, ids.length));
            return m.model().forward(tokens, pixels, Hooks.NONE, null).toFloatArray();
        }
    }

    @Test
    void forwardIsDeterministicAndShaped() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32())) {
            long[] ids = m.processor().encode("What color is the circle?", 1);
            assertEquals(((org.lvlmworkbench.core.arch.llava.LlavaModel) m.model()).tokensPerImage() + 11, ids.length, "16 image positions plus BOS and 10 words");
            float[] a = logits(m, ids, testImage());
            float[] b = logits(m, ids, testImage());
            assertEquals(ids.length * 35, a.length);
            assertArrayEquals(a, b, 0f);
        }
    }

    /**
     * A compressed model can emit the {@code <image>} id; the next decode step embeds it as the token
     * it is (transformers merges images only where pixels are given). A prompt with an image token
     * and no image is still refused.
     */
    @Test
    void aGeneratedImageIdIsAnOrdinaryTokenAtADecodeStep() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32());
                NDManager scope = m.model().manager().newSubManager()) {
            long[] ids = m.processor().encode("What color is the circle?", 1);
            long image = ((org.lvlmworkbench.core.arch.llava.LlavaModel) m.model()).config().imageTokenIndex();
            NDArray pixels = m.processor().pixelValues(List.of(testImage()), scope);
            try (org.lvlmworkbench.core.nn.KvCache cache = m.model().newCache(scope)) {
                m.model().forward(scope.create(ids, new Shape(1, ids.length)), pixels, Hooks.NONE, cache);
                NDArray step = m.model().forward(scope.create(new long[] {image}, new Shape(1, 1)), null, Hooks.NONE,
                        cache);
                assertEquals(new Shape(1, 1, 35), step.getShape());
                assertTrue(Float.isFinite(step.toFloatArray()[0]));
            }
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> m.model().forward(scope.create(ids, new Shape(1, ids.length)), null, Hooks.NONE, null));
            assertTrue(e.getMessage().contains("no image was given"), e.getMessage());
        }
    }

    /** Every layout transformers has written, detected from the keys and named; sharding changes nothing. */
    @Test
    void everyKeyLayoutAndShardingGiveTheSameModel() {
        float[] reference;
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32())) {
            reference = logits(m, m.processor().encode("how many circle?", 1), testImage());
            assertEquals(LlavaKeyLayout.LEGACY.name(), m.model().keyLayout());
        }
        for (LlavaKeyLayout layout : LlavaKeyLayout.KNOWN) {
            try (LoadedModel m = TinyModels.load(TinyModels.folder(layout, DType.F32, 3))) {
                assertEquals("llava", m.model().modelType());
                assertEquals(layout.name(), m.model().keyLayout());
                float[] other = logits(m, m.processor().encode("how many circle?", 1), testImage());
                assertArrayEquals(reference, other, 0f, layout.name());
            }
        }
    }

    /** Largest logit difference from the F32 copy, and the largest F32 logit, for a copy stored as {@code dtype}. */
    private static double[] differenceFromF32(DType dtype) {
        float[] f32;
        float[] other;
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32())) {
            f32 = logits(m, m.processor().encode("what shape is red?", 1), testImage());
        }
        try (LoadedModel m = TinyModels.load(TinyModels.folder(LlavaKeyLayout.LEGACY, dtype, 1))) {
            other = logits(m, m.processor().encode("what shape is red?", 1), testImage());
        }
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < f32.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(f32[i]));
            maxDiff = Math.max(maxDiff, Math.abs(f32[i] - other[i]));
        }
        return new double[] {maxDiff, maxAbs};
    }

    @Test
    void bf16CopyAgreesWithF32() {
        double[] d = differenceFromF32(DType.BF16);
        // BF16 keeps 8 significant bits; through six layers the logits move by a few percent of their range.
        assertTrue(d[0] < 0.08 * d[1], "max difference " + d[0] + " against logits up to " + d[1]);
        assertTrue(d[0] > 0, "BF16 rounding must change something, or the copy was not BF16");
    }

    @Test
    void f16CopyAgreesWithF32Closely() {
        double[] d = differenceFromF32(DType.F16);
        // F16 keeps 11 significant bits, eight times BF16's precision.
        assertTrue(d[0] < 0.02 && d[0] > 0, "max difference " + d[0]);
    }

    @Test
    void kvCacheGenerationEqualsFullRecomputation() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32())) {
            RgbImage image = testImage();
            long[] prompt = m.processor().encode("what color is the square?", 1);
            GenerationResult cached;
            try (NDManager scope = m.model().manager().newSubManager()) {
                NDArray pixels = m.processor().pixelValues(List.of(image), scope);
                cached = Generator.generate(m, prompt, pixels, GenerationSettings.greedy(8), Hooks.NONE, null);
            }
            assertTrue(cached.newIds().length > 0);
            // Recompute every step from scratch, without a cache, and pick the argmax the same way.
            long[] seq = prompt.clone();
            for (int step = 0; step < cached.newIds().length; step++) {
                float[] all = logits(m, seq, image);
                int vocab = all.length / seq.length;
                int best = 0;
                for (int v = 1; v < vocab; v++) {
                    if (all[(seq.length - 1) * vocab + v] > all[(seq.length - 1) * vocab + best]) {
                        best = v;
                    }
                }
                assertEquals(cached.newIds()[step], best, "step " + step);
                seq = java.util.Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = best;
            }
        }
    }
}
