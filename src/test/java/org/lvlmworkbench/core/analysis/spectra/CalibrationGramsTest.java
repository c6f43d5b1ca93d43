package org.lvlmworkbench.core.analysis.spectra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.hooks.ActivationCache;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.testing.TinyModels;

/** Calibration Grams against {@code XᵀX} computed here from captured activations, in one pass and in several. */
class CalibrationGramsTest {

    private static LoadedModel model;
    private static List<ProbeItem> items;

    @BeforeAll
    static void load() {
        model = TinyModels.load(TinyModels.legacyF32());
        items = ProbeSet.fromEvalFile(Path.of("samples/shapes-eval/eval.jsonl"), 2).items();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Set<String> inputHooks() {
        Set<String> hooks = new LinkedHashSet<>();
        for (LinearWeight w : model.model().linears()) {
            hooks.add(w.inputHook());
        }
        return hooks;
    }

    /** Σ over items of {@code |x|} per channel, filled by {@link #directGrams} beside the Grams. */
    private static final Map<String, double[]> ABS_SUMS = new LinkedHashMap<>();

    /** Σ over items of {@code XᵀX} from an {@link ActivationCache} capture, in double precision here. */
    private static Map<String, double[]> directGrams(Map<String, Long> tokens) {
        ABS_SUMS.clear();
        Set<String> hooks = inputHooks();
        Map<String, double[]> grams = new LinkedHashMap<>();
        for (ProbeItem item : items) {
            try (NDManager m = model.model().manager().newSubManager(); ActivationCache cache = new ActivationCache(m)) {
                long[] ids = model.processor().encode(item.prompt(), 1);
                NDArray pixels = model.processor().pixelValues(List.of(RgbImage.read(item.image())), m);
                model.model().forward(m.create(ids, new Shape(1, ids.length)), pixels,
                        new Hooks().capture(hooks::contains, cache), null).close();
                for (String h : hooks) {
                    NDArray x = cache.get(h);
                    int width = (int) x.getShape().get(x.getShape().dimension() - 1);
                    float[] v = x.toFloatArray();
                    int rows = v.length / width;
                    double[] g = grams.computeIfAbsent(h, k -> new double[width * width]);
                    double[] a = ABS_SUMS.computeIfAbsent(h, k -> new double[width]);
                    for (int t = 0; t < rows; t++) {
                        for (int i = 0; i < width; i++) {
                            a[i] += Math.abs(v[t * width + i]);
                        }
                        for (int i = 0; i < width; i++) {
                            double xi = v[t * width + i];
                            for (int j = 0; j < width; j++) {
                                g[i * width + j] += xi * v[t * width + j];
                            }
                        }
                    }
                    tokens.merge(h, (long) rows, Long::sum);
                }
            }
        }
        return grams;
    }

    private static void assertGramsEqual(Map<String, double[]> expected, Map<String, Long> tokens,
            CalibrationGrams grams, Iterable<String> hooks) {
        for (String hook : hooks) {
            CalibrationGrams.Gram g = grams.gram(hook, Progress.NONE);
            double[] want = expected.get(hook);
            double scale = 0;
            for (double v : want) {
                scale = Math.max(scale, Math.abs(v));
            }
            assertTrue(scale > 0, hook + " saw no signal");
            assertArrayEquals(want, g.values(), 1e-10 * scale, hook);
            double[] abs = ABS_SUMS.get(hook);
            double absScale = java.util.Arrays.stream(abs).max().orElseThrow();
            assertArrayEquals(abs, g.absSums(), 1e-10 * absScale, hook + " Σ|x| per channel");
            assertEquals(tokens.get(hook), g.tokens(), hook + " tokens");
        }
    }

    @Test
    void equalsXtXOfTheCapturedInputsInOnePass() {
        Map<String, Long> tokens = new LinkedHashMap<>();
        Map<String, double[]> expected = directGrams(tokens);
        assertEquals(inputHooks(), expected.keySet());
        CalibrationGrams grams = new CalibrationGrams(model, items);
        assertEquals(1, grams.passes().size(), "the tiny model's Grams fit 1 GiB");
        assertGramsEqual(expected, tokens, grams, expected.keySet());
        assertEquals(1, grams.passesRun(), "every Gram came from the one pass");
        // Vision points see 1 + patches rows per image; decoder points every prompt token.
        assertEquals(items.size() * 17L, grams.gram("vision.blocks.0.ln1.normalized", Progress.NONE).tokens());
    }

    @Test
    void aSmallBudgetSplitsThePassesAndGivesTheSameGrams() {
        Map<String, Long> tokens = new LinkedHashMap<>();
        Map<String, double[]> expected = directGrams(tokens);
        // A budget of the widest single Gram: every pass holds at most that, the widest ones alone.
        int widestInput = model.model().linears().stream().mapToInt(w -> (int) w.cols()).max().orElseThrow();
        long widest = CalibrationGrams.gramBytes(widestInput);
        CalibrationGrams grams = new CalibrationGrams(model, items, widest);
        assertTrue(grams.estimatedBytes() > grams.budgetBytes());
        assertTrue(grams.passes().size() > 3, grams.passes().size() + " passes");
        List<String> flattened = new ArrayList<>();
        for (List<String> pass : grams.passes()) {
            long bytes = 0;
            for (String h : pass) {
                bytes += CalibrationGrams.gramBytes(grams.gram(h, Progress.NONE).width());
            }
            assertTrue(bytes <= widest || pass.size() == 1, "pass " + pass + " holds " + bytes + " bytes");
            assertGramsEqual(expected, tokens, grams, pass);
            flattened.addAll(pass);
        }
        assertEquals(new ArrayList<>(inputHooks()), flattened, "each point in exactly one pass, in forward order");
        assertEquals(grams.passes().size(), grams.passesRun(), "asked in forward order, each pass runs once");
    }

    @Test
    void cancellingStopsBeforeTheNextItem() {
        CalibrationGrams grams = new CalibrationGrams(model, items);
        int[] updates = {0};
        Progress cancelAfterFirstItem = Progress.of(() -> updates[0] >= 1, (f, msg) -> updates[0]++);
        assertThrows(CancellationException.class,
                () -> grams.gram("text.blocks.0.ln1.normalized", cancelAfterFirstItem));
        assertEquals(0, grams.passesRun());
        assertEquals(1, updates[0], "item 1 announced and run, item 2 never started");
    }

    @Test
    void anUnknownPointIsNamed() {
        CalibrationGrams grams = new CalibrationGrams(model, items);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> grams.gram("text.blocks.0.mlp_out", Progress.NONE));
        assertTrue(e.getMessage().contains("'text.blocks.0.mlp_out'"), e.getMessage());
    }
}
