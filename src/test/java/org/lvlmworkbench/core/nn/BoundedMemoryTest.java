package org.lvlmworkbench.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.ForwardInputs;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.sample.LlavaSpec;
import org.lvlmworkbench.core.sample.RandomLlava;
import org.lvlmworkbench.testing.TinyModels;

/**
 * A forward pass frees each layer's intermediates when the layer returns: the memory live at the
 * last layer does not grow with depth, nothing but the result outlives the pass, and neither
 * chunked attention nor logits for chosen rows change the result beyond float32 rounding.
 */
class BoundedMemoryTest {

    private static final String QUESTION = "what color is the circle and what shape is next to the square on the left?";

    /** Bytes held by every array the model's managers track, weights included. */
    private static long liveBytes(NDManager root) {
        long bytes = 0;
        for (NDArray a : root.getManagedArrays()) {
            if (!a.isReleased()) {
                bytes += a.size() * a.getDataType().getNumOfBytes();
            }
        }
        return bytes;
    }

    private record Live(long atLastLayer, long afterPass, long before) {
    }

    /** Live bytes beyond the weights while the last decoder layer runs, and after the pass. */
    private static Live measure(Path folder) {
        try (LoadedModel m = ModelLoader.load(folder, Device.cpu());
                NDManager scope = m.model().manager().newSubManager()) {
            long[] ids = m.processor().encode(QUESTION, 1);
            NDArray pixels = m.processor().pixelValues(List.of(image()), scope);
            NDArray tokens = scope.create(ids, new Shape(1, ids.length));
            long before = liveBytes(m.model().manager());
            long[] atLast = new long[1];
            String lastPoint = HookPoints.text(m.model().decoder().numLayers() - 1).mlpOut();
            Hooks hooks = new Hooks().replace(lastPoint, (point, x) -> {
                atLast[0] = liveBytes(m.model().manager()) - before;
                return x;
            });
            NDArray logits = m.model().forward(tokens, pixels, hooks, null);
            long after = liveBytes(m.model().manager()) - before;
            long logitBytes = logits.size() * 4;
            logits.close();
            return new Live(atLast[0], after - logitBytes, before);
        }
    }

    private static RgbImage image() {
        byte[] rgb = new byte[40 * 40 * 3];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = (byte) (i * 7);
        }
        return new RgbImage(40, 40, rgb);
    }

    @Test
    void liveMemoryAtTheLastLayerDoesNotGrowWithDepth(@TempDir Path dir) {
        LlavaSpec tiny = LlavaSpec.tiny();
        Live shallow = null;
        Live deep = null;
        for (int layers : new int[] {2, 12}) {
            LlavaSpec spec = new LlavaSpec(tiny.imageSize(), tiny.patchSize(), tiny.visionHidden(),
                    tiny.visionIntermediate(), tiny.visionLayers(), tiny.visionHeads(), tiny.textHidden(),
                    tiny.textIntermediate(), layers, tiny.textHeads(), tiny.textKvHeads(), tiny.maxPositions(),
                    tiny.ropeTheta());
            Path folder = dir.resolve("layers-" + layers);
            RandomLlava.writeFolder(folder, spec, LlavaKeyLayout.CURRENT, DType.F32, 1, 7);
            Live live = measure(folder);
            if (layers == 2) {
                shallow = live;
            } else {
                deep = live;
            }
        }
        assertTrue(shallow.atLastLayer() > 0, "the hook saw the pass's own tensors");
        // Six times the layers: the live set may differ by a few residual-stream-sized tensors, never 6x.
        assertTrue(deep.atLastLayer() < shallow.atLastLayer() * 1.5,
                "live bytes at the last layer: 2 layers " + shallow.atLastLayer() + ", 12 layers " + deep.atLastLayer());
        assertEquals(0, shallow.afterPass(), "nothing but the logits outlives a pass (2 layers)");
        assertEquals(0, deep.afterPass(), "nothing but the logits outlives a pass (12 layers)");
    }

    @Test
    void chunkedAttentionAndChosenLogitRowsChangeNothing() {
        try (LoadedModel m = TinyModels.load(TinyModels.legacyF32());
                NDManager scope = m.model().manager().newSubManager()) {
            long[] ids = m.processor().encode(QUESTION, 1);
            NDArray pixels = m.processor().pixelValues(List.of(image()), scope);
            NDArray tokens = scope.create(ids, new Shape(1, ids.length));
            float[] whole = m.model().forward(tokens, pixels, Hooks.NONE, null).toFloatArray();
            String previous = System.getProperty("lvlm.attentionChunkBytes");
            float[] chunked;
            try {
                // A few query rows per chunk, so every layer of both towers runs in several chunks.
                System.setProperty("lvlm.attentionChunkBytes", "1024");
                chunked = m.model().forward(tokens, pixels, Hooks.NONE, null).toFloatArray();
            } finally {
                if (previous == null) {
                    System.clearProperty("lvlm.attentionChunkBytes");
                } else {
                    System.setProperty("lvlm.attentionChunkBytes", previous);
                }
            }
            // Equal up to float32 rounding: the BLAS groups the rows of a smaller product differently.
            assertArrayEquals(whole, chunked, 1e-5f, "chunked attention");

            NDArray last = m.model().forward(ForwardInputs.of(tokens, pixels).lastLogitsOnly(), Hooks.NONE, null);
            int vocab = (int) last.getShape().get(2);
            assertEquals(new Shape(1, 1, vocab), last.getShape());
            float[] expected = new float[vocab];
            System.arraycopy(whole, whole.length - vocab, expected, 0, vocab);
            assertArrayEquals(expected, last.toFloatArray(), 1e-6f, "the last row alone equals the last row of all");
        }
    }
}
