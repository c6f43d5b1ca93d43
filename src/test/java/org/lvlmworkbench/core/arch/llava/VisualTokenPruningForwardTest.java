package org.lvlmworkbench.core.arch.llava;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.eval.EvalReport;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.eval.Evaluator;
import org.lvlmworkbench.core.hooks.ActivationCache;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.ForwardInputs;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.pruning.TokenSelection;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
import org.lvlmworkbench.core.nn.KvCache;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * Visual-token pruning inside the LLaVA forward pass, on the shipped sample (36 image tokens, 8
 * decoder layers, 4 query heads sharing 2 kv heads).
 */
class VisualTokenPruningForwardTest {

    private static final Path SAMPLE = Path.of("samples/llava-shapes");
    private static final Path EVAL = Path.of("samples/shapes-eval/eval.jsonl");
    private static final int IMAGE_TOKENS = 36;

    private static LoadedModel model;
    private static EvalSet eval;

    private static String gemmSetting;

    @BeforeAll
    static void open() {
        // These tests compare runs of different lengths to 1e-5; on a CPU with AVX-512 BF16 a BF16
        // checkpoint's prefill GEMMs round activations to bf16 (Bf16Gemm), whose blocking depends on
        // the row count. The float32 path makes the comparisons about pruning, not about rounding.
        gemmSetting = System.setProperty(org.lvlmworkbench.core.nn.Bf16Gemm.SETTING, "f32");
        model = ModelLoader.load(SAMPLE);
        eval = EvalSet.read(EVAL);
    }

    @AfterAll
    static void close() {
        if (gemmSetting == null) {
            System.clearProperty(org.lvlmworkbench.core.nn.Bf16Gemm.SETTING);
        } else {
            System.setProperty(org.lvlmworkbench.core.nn.Bf16Gemm.SETTING, gemmSetting);
        }
        model.close();
    }

    private static LlavaModel llava() {
        return (LlavaModel) model.model();
    }

    private static long[] prompt(int item) {
        return model.processor().encode(eval.items().get(item).prompt(), 1);
    }

    private static NDArray pixels(int item, NDManager scope) {
        return model.processor().pixelValues(List.of(RgbImage.read(eval.items().get(item).image())), scope);
    }

    private static int[] imagePositions(long[] ids) {
        return java.util.stream.IntStream.range(0, ids.length).filter(p -> ids[p] == llava().imageTokenId()).toArray();
    }

    /** The logits of every row of one pass without a cache, {@code [T or T_kept, vocab]} flattened. */
    private static float[] logits(LanguageModel m, long[] ids, int item, Hooks hooks) {
        try (NDManager scope = model.model().manager().newSubManager()) {
            NDArray tokens = scope.create(ids, new Shape(1, ids.length));
            return m.forward(ForwardInputs.of(tokens, pixels(item, scope)), hooks, null).toFloatArray();
        }
    }

    private static float[] lastRow(float[] all) {
        int vocab = model.model().decoder().vocabSize();
        return Arrays.copyOfRange(all, all.length - vocab, all.length);
    }

    private static int argmax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }

    private static double maxDifference(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    /** What a cached greedy run saw: the last-row logits of the prefill and of each step, and the cache's counts. */
    private record Greedy(float[][] logits, long[] tokens, long[] positions, long[][] layerLengths) {
    }

    /** Prefill with a cache, then {@code steps} greedy steps (end-of-sequence ignored). */
    private static Greedy greedy(LanguageModel m, long[] ids, int item, int steps, Hooks hooks) {
        return greedy(m, ids, item, steps, hooks, null);
    }

    /** {@link #greedy(LanguageModel, long[], int, int, Hooks)} feeding {@code forced} tokens when not null. */
    private static Greedy greedy(LanguageModel m, long[] ids, int item, int steps, Hooks hooks, long[] forced) {
        float[][] out = new float[steps + 1][];
        long[] tokens = new long[steps];
        long[] positions = new long[steps + 1];
        long[][] lengths = new long[steps + 1][];
        try (NDManager scope = model.model().manager().newSubManager(); KvCache cache = m.newCache(scope)) {
            NDArray tokensIn = scope.create(ids, new Shape(1, ids.length));
            out[0] = m.forward(ForwardInputs.of(tokensIn, pixels(item, scope)).lastLogitsOnly(), hooks, cache)
                    .toFloatArray();
            for (int s = 0; s <= steps; s++) {
                if (s > 0) {
                    try (NDManager step = scope.newSubManager()) {
                        NDArray next = step.create(new long[] {tokens[s - 1]}, new Shape(1, 1));
                        out[s] = m.forward(ForwardInputs.text(next), hooks, cache).toFloatArray();
                    }
                }
                positions[s] = cache.position();
                lengths[s] = new long[cache.layers()];
                for (int l = 0; l < cache.layers(); l++) {
                    lengths[s][l] = cache.length(l);
                }
                if (s < steps) {
                    tokens[s] = forced != null ? forced[s] : argmax(out[s]);
                }
            }
        }
        return new Greedy(out, tokens, positions, lengths);
    }

    /** Captures of one pass without a cache at the named points. */
    private static float[][] capture(LanguageModel m, long[] ids, int item, String... points) {
        try (NDManager scope = model.model().manager().newSubManager(); ActivationCache cache = new ActivationCache(scope)) {
            NDArray tokens = scope.create(ids, new Shape(1, ids.length));
            m.forward(ForwardInputs.of(tokens, pixels(item, scope)).lastLogitsOnly(),
                    new Hooks().capture(Hooks.named(points), cache), null).close();
            float[][] out = new float[points.length][];
            for (int i = 0; i < points.length; i++) {
                NDArray a = cache.get(points[i]);
                out[i] = a.getDataType().isFloating() ? a.toFloatArray() : toFloats(a.toLongArray());
            }
            return out;
        }
    }

    private static long[] keptPositions(LanguageModel m, long[] ids, int item, int layer) {
        try (NDManager scope = model.model().manager().newSubManager(); ActivationCache cache = new ActivationCache(scope)) {
            NDArray tokens = scope.create(ids, new Shape(1, ids.length));
            String point = HookPoints.keptPositions(layer);
            m.forward(ForwardInputs.of(tokens, pixels(item, scope)).lastLogitsOnly(),
                    new Hooks().capture(point::equals, cache), null).close();
            assertEquals(new Shape(1, cache.get(point).getShape().get(1)), cache.get(point).getShape());
            return cache.get(point).toLongArray();
        }
    }

    private static float[] toFloats(long[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = v[i];
        }
        return f;
    }

    /** The image positions of {@code ids} missing from {@code kept}. */
    private static Set<Long> removed(long[] ids, long[] kept) {
        Set<Long> out = new HashSet<>();
        for (int p : imagePositions(ids)) {
            out.add((long) p);
        }
        for (long k : kept) {
            out.remove(k);
        }
        return out;
    }

    /**
     * FastV's "mask mode" on the unpruned model: at every layer {@code l}, the keys in
     * {@code removedAt(l)} get no attention (each attention row renormalised over the other keys,
     * which is what an additive -inf mask does to a softmax). Kept tokens then see exactly what they
     * see in the pruned pass, at their own positions.
     */
    private static Hooks maskMode(IntFunction<Set<Long>> removedAt) {
        Hooks hooks = new Hooks();
        for (int l = 0; l < model.model().decoder().numLayers(); l++) {
            Set<Long> removed = removedAt.apply(l);
            if (removed.isEmpty()) {
                continue;
            }
            hooks.replace(HookPoints.text(l).attnPattern(), (point, pattern) -> {
                int keys = (int) pattern.getShape().get(3);
                float[] keep = new float[keys];
                for (int j = 0; j < keys; j++) {
                    keep[j] = removed.contains((long) j) ? 0 : 1;
                }
                // In double precision, so the reference adds no rounding of its own beyond the softmax's.
                NDArray wide = pattern.toType(ai.djl.ndarray.types.DataType.FLOAT64, false);
                NDArray masked = wide.mul(pattern.getManager().create(keep).toType(
                        ai.djl.ndarray.types.DataType.FLOAT64, false));
                return masked.div(masked.sum(new int[] {-1}, true)).toType(pattern.getDataType(), false);
            });
        }
        return hooks;
    }

    /** Head-mean attention of the last row over all keys at {@code layer}, from a captured pattern. */
    private static float[] lastRowHeadMean(float[] pattern, int heads, int t) {
        float[] out = new float[t];
        for (int h = 0; h < heads; h++) {
            for (int j = 0; j < t; j++) {
                out[j] += pattern[(h * t + (t - 1)) * t + j];
            }
        }
        for (int j = 0; j < t; j++) {
            out[j] /= heads;
        }
        return out;
    }

    @Test
    void removingNothingChangesNothingInPrefillOrDecoding() {
        long[] ids = prompt(0);
        float[] plain = logits(model.model(), ids, 0, Hooks.NONE);
        Greedy reference = greedy(model.model(), ids, 0, 4, Hooks.NONE);
        List<VisualTokenPruning> keepAll = List.of(
                VisualTokenPruning.fastV(2, 0),
                VisualTokenPruning.schedule(new int[] {1, 3, 6}, new double[] {1, 1, 1}),
                VisualTokenPruning.diversity(0, 0));
        for (VisualTokenPruning p : keepAll) {
            LanguageModel pruned = model.model().withPruning(p);
            assertEquals(0, maxDifference(plain, logits(pruned, ids, 0, Hooks.NONE)), 1e-6, p.describe());
            Greedy g = greedy(pruned, ids, 0, 4, Hooks.NONE);
            assertArrayEquals(reference.tokens(), g.tokens(), p.describe());
            for (int s = 0; s < g.logits().length; s++) {
                assertEquals(0, maxDifference(reference.logits()[s], g.logits()[s]), 1e-6, p.describe() + ", pass " + s);
            }
            assertArrayEquals(reference.positions(), g.positions());
        }
    }

    @Test
    void fastVKeepsTheTopHalfByTheLastPromptTokensAttentionAtLayerKMinusOne() {
        long[] ids = prompt(1);
        int t = ids.length;
        int k = 2;
        LanguageModel pruned = model.model().withPruning(VisualTokenPruning.fastV(k, 0.5));
        float[][] got = capture(pruned, ids, 1, HookPoints.text(k - 1).residPost(), HookPoints.text(k).residPre(),
                HookPoints.text(7).residPost(), HookPoints.keptPositions(k));
        int width = model.model().decoder().hiddenSize();
        int kept = t - IMAGE_TOKENS / 2;
        assertEquals(t * width, got[0].length, "block K-1 still sees every token");
        assertEquals(kept * width, got[1].length, "block K sees 18 of the 36 image tokens and every text token");
        assertEquals(kept * width, got[2].length, "and so does every later block");
        long[] positions = keptPositions(pruned, ids, 1, k);
        assertEquals(kept, positions.length);
        int[] images = imagePositions(ids);
        for (int p = 0; p < t; p++) {
            int at = p;
            boolean isImage = Arrays.stream(images).anyMatch(i -> i == at);
            if (!isImage) {
                assertTrue(Arrays.stream(positions).anyMatch(q -> q == at), "text position " + p + " is never removed");
            }
        }
        for (int i = 1; i < positions.length; i++) {
            assertTrue(positions[i] > positions[i - 1], "kept positions ascend");
        }
        // FastV's score, read from the unpruned model's full pattern at layer K-1.
        float[] pattern = capture(model.model(), ids, 1, HookPoints.text(k - 1).attnPattern())[0];
        int heads = pattern.length / (t * t);
        float[] row = lastRowHeadMean(pattern, heads, t);
        float[] scores = new float[images.length];
        for (int j = 0; j < images.length; j++) {
            scores[j] = row[images[j]];
        }
        int[] expected = TokenSelection.topK(scores, IMAGE_TOKENS / 2);
        long[] expectedPositions = Arrays.stream(expected).mapToLong(j -> images[j]).toArray();
        long[] keptImages = Arrays.stream(positions).filter(p -> Arrays.stream(images).anyMatch(i -> i == p)).toArray();
        assertArrayEquals(expectedPositions, keptImages);
    }

    @Test
    void keptTokensKeepTheirPositionsAsInFastVsMaskMode() {
        long[] ids = prompt(2);
        int k = 2;
        LanguageModel pruned = model.model().withPruning(VisualTokenPruning.fastV(k, 0.5));
        Set<Long> removed = removed(ids, keptPositions(pruned, ids, 2, k));
        assertEquals(IMAGE_TOKENS / 2, removed.size());
        Hooks mask = maskMode(l -> l >= k ? removed : Set.of());

        Greedy g = greedy(pruned, ids, 2, 2, Hooks.NONE);
        float[] reference = lastRow(logits(model.model(), ids, 2, mask));
        assertEquals(0, maxDifference(reference, g.logits()[0]), 1e-5, "prefill, last position");
        float[] unmasked = lastRow(logits(model.model(), ids, 2, Hooks.NONE));
        assertTrue(maxDifference(unmasked, g.logits()[0]) > 1e-3, "pruning must change the logits, or this proves nothing");

        // The cache: layers before K hold every position, from K on only the kept ones; the next
        // token's rotary position is the prompt length, not the shorter cache length.
        int t = ids.length;
        assertEquals(t, g.positions()[0]);
        for (int l = 0; l < g.layerLengths()[0].length; l++) {
            assertEquals(l < k ? t : t - removed.size(), g.layerLengths()[0][l], "layer " + l);
        }
        assertEquals(t + 2, g.positions()[2]);
        assertEquals(t - removed.size() + 2, g.layerLengths()[2][k]);

        // Decoding: each new token at position T, T+1, ... sees the kept tokens only from layer K on. The
        // reference decodes the same tokens with a cache too (a cached step and a full recomputation
        // differ by rounding alone, up to about 1e-5 here, which would hide nothing but blur the bound).
        Greedy masked = greedy(model.model(), ids, 2, 2, mask, g.tokens());
        for (int s = 1; s <= 2; s++) {
            assertEquals(0, maxDifference(masked.logits()[s], g.logits()[s]), 1e-5, "decode step " + s);
        }
        assertArrayEquals(new long[] {t, t + 1, t + 2}, masked.positions());
    }

    @Test
    void aScheduleScoresEachStageOnTheTokensStillThere() {
        long[] ids = prompt(3);
        int t = ids.length;
        VisualTokenPruning schedule = VisualTokenPruning.schedule(new int[] {2, 5}, new double[] {0.5, 0.25});
        LanguageModel pruned = model.model().withPruning(schedule);
        Set<Long> removed2 = removed(ids, keptPositions(pruned, ids, 3, 2));
        long[] kept5 = keptPositions(pruned, ids, 3, 5);
        Set<Long> removed5 = removed(ids, kept5);
        assertEquals(18, removed2.size());
        assertEquals(27, removed5.size(), "⌈0.25 · 36⌉ = 9 image tokens stay");
        assertTrue(removed5.containsAll(removed2));
        Hooks mask = maskMode(l -> l >= 5 ? removed5 : l >= 2 ? removed2 : Set.of());
        float[] reference = lastRow(logits(model.model(), ids, 3, mask));
        float[] all = logits(pruned, ids, 3, Hooks.NONE);
        assertEquals((t - 27) * model.model().decoder().vocabSize(), all.length,
                "with no logit rows asked for, the pruned pass returns the kept rows");
        assertEquals(0, maxDifference(reference, lastRow(all)), 1e-5, "the last one last");

        // The second stage's scores: layer 4's last row, over the 18 image tokens left by the first stage.
        float[] pattern;
        try (NDManager scope = model.model().manager().newSubManager(); ActivationCache cache = new ActivationCache(scope)) {
            Hooks masked = maskMode(l -> l >= 5 ? removed5 : l >= 2 ? removed2 : Set.of())
                    .capture(Hooks.named(HookPoints.text(4).attnPattern()), cache);
            model.model().forward(ForwardInputs.of(scope.create(ids, new Shape(1, t)), pixels(3, scope)), masked, null);
            pattern = cache.get(HookPoints.text(4).attnPattern()).toFloatArray();
        }
        float[] row = lastRowHeadMean(pattern, pattern.length / (t * t), t);
        List<Integer> left = new ArrayList<>();
        for (int p : imagePositions(ids)) {
            if (!removed2.contains((long) p)) {
                left.add(p);
            }
        }
        float[] scores = new float[left.size()];
        for (int j = 0; j < scores.length; j++) {
            scores[j] = row[left.get(j)];
        }
        long[] expected = Arrays.stream(TokenSelection.topK(scores, 9)).mapToLong(left::get).toArray();
        long[] keptImages = Arrays.stream(kept5).filter(p -> Arrays.stream(imagePositions(ids)).anyMatch(i -> i == p))
                .toArray();
        assertArrayEquals(expected, keptImages);
    }

    @Test
    void adaptiveAndDiversityKeepWhatTheirRulesSay() {
        long[] ids = prompt(4);
        int t = ids.length;
        int[] images = imagePositions(ids);
        // Adaptive at layer 3: the mass cover of layer 2's last-row attention over the image tokens.
        float[] pattern = capture(model.model(), ids, 4, HookPoints.text(2).attnPattern())[0];
        float[] row = lastRowHeadMean(pattern, pattern.length / (t * t), t);
        float[] scores = new float[images.length];
        for (int j = 0; j < images.length; j++) {
            scores[j] = row[images[j]];
        }
        long[] expected = Arrays.stream(TokenSelection.massCover(scores, 0.7, 4)).mapToLong(j -> images[j]).toArray();
        long[] kept = keptPositions(model.model().withPruning(VisualTokenPruning.adaptive(3, 0.7, 4)), ids, 4, 3);
        assertArrayEquals(expected, Arrays.stream(kept).filter(p -> Arrays.stream(images).anyMatch(i -> i == p)).toArray());
        assertTrue(expected.length < IMAGE_TOKENS, "70% of the mass should not need every token: " + expected.length);

        // Diversity at layer 0: max-min over the projector's outputs as they enter the decoder.
        float[] embedded = capture(model.model(), ids, 4, HookPoints.TEXT_EMBED)[0];
        int width = model.model().decoder().hiddenSize();
        float[][] features = new float[images.length][];
        for (int j = 0; j < images.length; j++) {
            features[j] = Arrays.copyOfRange(embedded, images[j] * width, (images[j] + 1) * width);
        }
        long[] expectedDiverse = Arrays.stream(TokenSelection.maxMinDiversity(features, 9)).mapToLong(j -> images[j])
                .toArray();
        long[] keptDiverse = keptPositions(model.model().withPruning(VisualTokenPruning.diversity(0, 0.75)), ids, 4, 0);
        assertArrayEquals(expectedDiverse,
                Arrays.stream(keptDiverse).filter(p -> Arrays.stream(images).anyMatch(i -> i == p)).toArray());
    }

    @Test
    void theViewSharesTheWeightsAndLeavesTheOriginalAlone() {
        long[] ids = prompt(5);
        float[] before = logits(model.model(), ids, 5, Hooks.NONE);
        LlavaModel view = llava().withPruning(VisualTokenPruning.fastV(2, 0.75));
        assertNotSame(llava(), view);
        assertSame(llava().decoder(), view.decoder());
        assertSame(llava().vision(), view.vision());
        assertSame(llava().projector(), view.projector());
        assertTrue(llava().pruning().isNone());
        assertEquals(VisualTokenPruning.fastV(2, 0.75), view.pruning());
        assertTrue(view.hookPoints().contains(HookPoints.keptPositions(2)));
        assertFalse(llava().hookPoints().contains(HookPoints.keptPositions(2)));
        float[] pruned = logits(view, ids, 5, Hooks.NONE);
        view.close();
        assertArrayEquals(before, logits(model.model(), ids, 5, Hooks.NONE), 0f, "closing the view closes nothing");
        assertTrue(pruned.length < before.length);
        assertTrue(llava().withPruning(VisualTokenPruning.NONE).pruning().isNone());
    }

    @Test
    void whatPruningCannotDoIsRefused() {
        long[] ids = prompt(0);
        LanguageModel pruned = model.model().withPruning(VisualTokenPruning.fastV(2, 0.5));
        assertThrows(org.lvlmworkbench.core.model.pruning.InvalidPruningException.class,
                () -> model.model().withPruning(VisualTokenPruning.fastV(8, 0.5)), "the sample has layers 0..7");
        try (NDManager scope = model.model().manager().newSubManager()) {
            NDArray pixels = pixels(0, scope);
            NDArray two = scope.create(ids, new Shape(1, ids.length)).repeat(0, 2);
            NDArray twoImages = pixels.repeat(0, 2);
            IllegalArgumentException batch = assertThrows(IllegalArgumentException.class,
                    () -> pruned.forward(ForwardInputs.of(two, twoImages), Hooks.NONE, null));
            assertTrue(batch.getMessage().contains("one sequence at a time"), batch.getMessage());
            NDArray one = scope.create(ids, new Shape(1, ids.length));
            IllegalArgumentException removedRow = assertThrows(IllegalArgumentException.class,
                    () -> pruned.forward(new ForwardInputs(one, pixels, null, null,
                            java.util.stream.LongStream.range(0, ids.length).toArray()), Hooks.NONE, null));
            assertTrue(removedRow.getMessage().contains("removed"), removedRow.getMessage());
            // A kept row can be asked for by its input index.
            float[] last = pruned.forward(new ForwardInputs(one, pixels, null, null, new long[] {0, ids.length - 1}),
                    Hooks.NONE, null).toFloatArray();
            // The LM head on 2 rows instead of all: a different matrix shape, so a few ulps apart.
            assertArrayEquals(lastRow(logits(pruned, ids, 0, Hooks.NONE)), lastRow(last), 1e-5f);
        }
    }

    @Test
    void configJsonCarriesThePolicy(@TempDir Path dir) throws IOException {
        try (var files = Files.list(SAMPLE)) {
            for (Path f : files.toList()) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        String config = Files.readString(SAMPLE.resolve("config.json"));
        String policy = VisualTokenPruning.fastV(2, 0.5).toJson();
        Files.writeString(dir.resolve("config.json"),
                config.replaceFirst("\\{", "{\n  \"visual_token_pruning\": " + policy + ","));
        long[] ids = prompt(6);
        try (LoadedModel m = ModelLoader.load(dir)) {
            assertEquals(VisualTokenPruning.fastV(2, 0.5), m.model().pruning());
            assertTrue(m.card().toString().contains("fastv before layer 2"), "the model card names the policy");
            float[] fromConfig = logits(m.model(), ids, 6, Hooks.NONE);
            assertArrayEquals(logits(model.model().withPruning(VisualTokenPruning.fastV(2, 0.5)), ids, 6, Hooks.NONE),
                    fromConfig, 0f);
        }
        Files.writeString(dir.resolve("config.json"), config.replaceFirst("\\{",
                "{\n  \"visual_token_pruning\": " + VisualTokenPruning.fastV(2, 0.5).toJson().replace("2", "9") + ","));
        ConfigException e = assertThrows(ConfigException.class, () -> ModelLoader.load(dir).close());
        assertEquals("visual_token_pruning.stages[0].layer", e.field());
    }

    /**
     * Sixty greedy generations (100 s on two busy cores), so it runs with the slow group
     * ({@code mvn verify}). Seen on the first 30 items: unpruned 30/30, FastV K=2 R=0.5 25/30 (K=3 R=0.5
     * 30/30, K=2 R=0.25 27/30, adaptive K=2 mass 0.9 27/30, diversity K=0 R=0.5 23/30, K=2 R=0.5 30/30).
     */
    @Test
    @Tag("slow")
    void fastVHalvingTheImageKeepsTheSamplesAccuracy() {
        EvalSet first30 = new EvalSet(eval.file(), eval.items().subList(0, 30));
        EvalReport plain = Evaluator.evaluate(model, first30, 8, Hooks.NONE, null, null);
        EvalReport fastV = Evaluator.evaluate(model.withPruning(VisualTokenPruning.fastV(2, 0.5)), first30, 8,
                Hooks.NONE, null, null);
        double a = plain.overall().accuracy();
        double b = fastV.overall().accuracy();
        System.out.printf("shapes-eval, first 30 items: unpruned %.3f, FastV K=2 R=0.5 %.3f%n", a, b);
        assertTrue(b >= a - 0.2, "unpruned " + a + ", FastV K=2 R=0.5 " + b);
    }
}
