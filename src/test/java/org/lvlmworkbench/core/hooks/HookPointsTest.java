package org.lvlmworkbench.core.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.testing.TinyModels;
import org.lvlmworkbench.core.processing.RgbImage;

class HookPointsTest {

    private static RgbImage image() {
        byte[] rgb = new byte[32 * 32 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7);
        }
        return new RgbImage(32, 32, rgb);
    }

    private static NDArray run(LoadedModel m, NDManager scope, Hooks hooks) {
        long[] ids = m.processor().encode("what color is the circle?", 1);
        NDArray pixels = m.processor().pixelValues(List.of(image()), scope);
        return m.model().forward(scope.create(ids, new Shape(1, ids.length)), pixels, hooks, null);
    }

    @Test
    void captureSeesEveryPointWithTheRightShapes() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32());
                NDManager scope = m.model().manager().newSubManager();
                ActivationCache cache = new ActivationCache(scope)) {
            NDArray logits = run(m, scope, new Hooks().capture(p -> true, cache));
            List<String> points = m.model().hookPoints();
            assertEquals(points.size(), cache.points().size(), "every declared point was reached");
            assertTrue(cache.points().containsAll(points));
            long t = logits.getShape().get(1);
            // Tiny spec: 3 text layers, 3 vision layers of which 2 feed the projector (feature layer -2).
            assertTrue(points.contains("text.blocks.2.resid_post"));
            assertTrue(points.contains("vision.blocks.1.attn.pattern"));
            assertFalse(points.contains("vision.blocks.2.resid_post"), "the last vision layer never runs");
            assertEquals(new Shape(1, t, 48), cache.get("text.blocks.0.resid_pre").getShape());
            assertEquals(new Shape(1, 4, t, t), cache.get("text.blocks.1.attn.pattern").getShape());
            assertEquals(new Shape(1, 17, 32), cache.get("vision.blocks.0.resid_post").getShape());
            assertEquals(new Shape(1, 16, 48), cache.get(HookPoints.PROJECTOR_OUT).getShape());
            assertArrayEquals(logits.toFloatArray(), cache.get(HookPoints.LOGITS).toFloatArray(), 0f);
            // resid_post of one block is resid_pre of the next.
            assertArrayEquals(cache.get("text.blocks.0.resid_post").toFloatArray(),
                    cache.get("text.blocks.1.resid_pre").toFloatArray(), 0f);
            // Attention rows are causal distributions.
            float[] pattern = cache.get("text.blocks.0.attn.pattern").get(0, 0).toFloatArray();
            for (int q = 0; q < t; q++) {
                double sum = 0;
                for (int k = 0; k < t; k++) {
                    if (k > q) {
                        assertEquals(0f, pattern[(int) (q * t + k)], 0f, "no attention to the future");
                    }
                    sum += pattern[(int) (q * t + k)];
                }
                assertEquals(1.0, sum, 1e-5);
            }
        }
    }

    @Test
    void filteredCaptureKeepsOnlyWhatWasAskedFor() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32());
                NDManager scope = m.model().manager().newSubManager();
                ActivationCache cache = new ActivationCache(scope)) {
            run(m, scope, new Hooks().capture(p -> p.endsWith("resid_post") && p.startsWith("text"), cache));
            assertEquals(3, cache.points().size());
        }
    }

    @Test
    void replacingAnActivationChangesTheOutput() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32());
                NDManager scope = m.model().manager().newSubManager()) {
            float[] clean = run(m, scope, Hooks.NONE).toFloatArray();
            float[] again = run(m, scope, new Hooks().replace("text.blocks.1.mlp_out", (p, a) -> a)).toFloatArray();
            assertArrayEquals(clean, again, 0f, "an identity replacement changes nothing");
            float[] ablated = run(m, scope, new Hooks().replace("text.blocks.1.mlp_out", (p, a) -> a.zerosLike()))
                    .toFloatArray();
            double diff = 0;
            for (int i = 0; i < clean.length; i++) {
                diff = Math.max(diff, Math.abs(clean[i] - ablated[i]));
            }
            assertTrue(diff > 1e-3, "zeroing an MLP output must move the logits, moved " + diff);
            float[] noImage = run(m, scope, new Hooks().replace(HookPoints.PROJECTOR_OUT, (p, a) -> a.zerosLike()))
                    .toFloatArray();
            assertFalse(java.util.Arrays.equals(clean, noImage), "the image reaches the logits through the projector");
        }
    }

    @Test
    void replacementMustKeepTheShape() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32());
                NDManager scope = m.model().manager().newSubManager()) {
            Hooks bad = new Hooks().replace("text.embed", (p, a) -> a.get(":, :1, :"));
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> run(m, scope, bad));
            assertTrue(e.getMessage().contains("text.embed"));
        }
    }

    @Test
    void layerOfParsesBlockNames() {
        assertEquals(7, HookPoints.layerOf("text.blocks.7.resid_post"));
        assertEquals(-1, HookPoints.layerOf("logits"));
    }
}
