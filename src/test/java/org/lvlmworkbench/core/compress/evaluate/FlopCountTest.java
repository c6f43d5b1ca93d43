package org.lvlmworkbench.core.compress.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.nn.LinearMap;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * Operations counted from the model's structure and the shapes it ran, against hand counts from the
 * sample's config.json: CLIP 96 wide, MLP 192, 4 heads, 48-pixel images of 8-pixel patches (36 + 1 tokens),
 * 3 of 4 layers run (feature layer -2); projector 96 → 96 → 96 with biases; Llama 8 layers, 96 wide,
 * 4 heads of 24 with 2 kv heads, MLP 256, no biases; vocabulary 44.
 */
class FlopCountTest {

    // Vision layer: q, k, v, out 96×96 + 96; fc1 192×96 + 192; fc2 96×192 + 96.
    static final long VISION_LAYER_PARAMS = 4 * (96 * 96 + 96) + (192 * 96 + 192) + (96 * 192 + 96);
    static final long VISION_TOKENS = 36 + 1;
    static final long PROJECTOR_PARAMS = 2 * (96 * 96 + 96);
    // Decoder layer: q 96×96, k and v 48×96, o 96×96, gate and up 256×96, down 96×256.
    static final long TEXT_LAYER_PARAMS = 96 * 96 + 2 * 48 * 96 + 96 * 96 + 3 * 256 * 96;
    static final long TEXT_ATTENTION_WIDTH = 4 * 24;
    static final long LM_HEAD = 96 * 44;

    static LoadedModel model;
    static EvalItem item;

    @BeforeAll
    static void load() {
        model = ModelLoader.load(Path.of("samples/llava-shapes"));
        item = EvalSet.read(Path.of("samples/shapes-eval/eval.jsonl")).items().get(0);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static long vision() {
        return 3 * (2 * VISION_LAYER_PARAMS * VISION_TOKENS + 4 * VISION_TOKENS * VISION_TOKENS * 96);
    }

    static long projector() {
        return 2 * PROJECTOR_PARAMS * 36;
    }

    /** One decoder layer on {@code t} new tokens attending to {@code keys}. */
    static long textLayer(long t, long keys) {
        return 2 * TEXT_LAYER_PARAMS * t + 4 * t * keys * TEXT_ATTENTION_WIDTH;
    }

    @Test
    void theStructureIsTheConfigs() {
        FlopModel m = FlopModel.of(model.model());
        assertEquals(3 + 2 + 8, m.units().size(), "3 vision layers that run, 2 projector maps, 8 decoder layers");
        for (FlopModel.Unit u : m.units()) {
            switch (u.component()) {
                case "vision" -> {
                    assertEquals(VISION_LAYER_PARAMS, u.parameters());
                    assertEquals(96, u.attentionWidth());
                    assertEquals(HookPoints.vision(u.layer()).residPre(), u.rowPoint());
                }
                case "projector" -> assertEquals(96 * 96 + 96, u.parameters());
                default -> {
                    assertEquals(TEXT_LAYER_PARAMS, u.parameters());
                    assertEquals(TEXT_ATTENTION_WIDTH, u.attentionWidth());
                    assertEquals(HookPoints.text(u.layer()).residPre(), u.rowPoint());
                    assertTrue(u.cached());
                }
            }
        }
        assertEquals(List.of(HookPoints.PROJECTOR_IN, HookPoints.PROJECTOR_HIDDEN), m.units().stream()
                .filter(u -> u.component().equals("projector")).map(FlopModel.Unit::rowPoint).toList());
        assertEquals(LM_HEAD, m.lmHeadParameters());
    }

    @Test
    void aGenerationCountsAsByHand() {
        FlopCounter counter = new FlopCounter(FlopModel.of(model.model()), true);
        GenerationResult r = Generator.answer(model, item.prompt(), RgbImage.read(item.image()),
                GenerationSettings.sampled(3, 1e-9, 0, 1, 0), counter.attach(new Hooks()), null);
        long t = model.processor().encode(item.prompt(), 1).length;
        assertEquals(t, r.promptIds().length);
        FlopCount prefill = counter.prefill();
        assertEquals(vision(), prefill.byComponent().get("vision"));
        assertEquals(projector(), prefill.byComponent().get("projector"));
        assertEquals(8 * textLayer(t, t), prefill.byComponent().get("text"));
        assertEquals(2 * LM_HEAD, prefill.lmHead(), "the LM head runs on the last row only");
        assertEquals(vision() + projector() + 8 * textLayer(t, t) + 2 * LM_HEAD, prefill.total());
        assertEquals(3 * 4 * VISION_TOKENS * VISION_TOKENS * 96 + 8 * 4 * t * t * TEXT_ATTENTION_WIDTH,
                prefill.attention());
        // Each decode step: one token through every decoder layer, attending to the prompt and what followed.
        List<FlopCount> passes = counter.passes();
        assertTrue(passes.size() >= 2, "the sample answers item 0 with at least one decode step: " + passes.size());
        assertEquals(passes.size() - 1, counter.decodeSteps());
        long decode = 0;
        for (int step = 1; step < passes.size(); step++) {
            long expected = 8 * textLayer(1, t + step) + 2 * LM_HEAD;
            assertEquals(expected, passes.get(step).total(), "decode step " + step);
            assertEquals(List.of("text", "lm_head"), List.copyOf(passes.get(step).byComponent().keySet()));
            decode += expected;
        }
        assertEquals(decode, counter.decode().total());
        float[] logits = counter.firstLogits();
        assertEquals(44, logits.length);
        assertEquals(r.newIds()[0], argMax(logits), "the first logits are the first answer token's");
    }

    @Test
    void aShorterPromptCountsFewer() {
        FlopModel m = FlopModel.of(model.model());
        FlopCounter withImage = new FlopCounter(m, false);
        Generator.answer(model, item.prompt(), RgbImage.read(item.image()), GenerationSettings.greedy(1),
                withImage.attach(new Hooks()), null);
        FlopCounter textOnly = new FlopCounter(m, false);
        Generator.answer(model, item.prompt(), null, GenerationSettings.greedy(1), textOnly.attach(new Hooks()), null);
        long t = model.processor().encode(item.prompt(), 0).length;
        assertEquals(8 * textLayer(t, t) + 2 * LM_HEAD, textOnly.prefill().total(), "no vision, no projector");
        assertTrue(textOnly.prefill().total() < withImage.prefill().total());
        assertEquals(null, textOnly.firstLogits(), "not asked for");
    }

    @Test
    void aSequencePrunedAfterALayerCountsFewerTokensFromThere() {
        // What visual-token pruning does: layers 0..2 see the whole prompt, layers 3..7 a shorter one. The
        // forward pass is simulated by handing the counter the shapes the decoder would give its hooks.
        FlopModel m = FlopModel.of(model.model());
        long t = 48;
        long kept = 20;
        int k = 3;
        try (NDManager scope = model.model().manager().newSubManager()) {
            FlopCounter full = new FlopCounter(m, false);
            FlopCounter pruned = new FlopCounter(m, false);
            for (FlopCounter c : List.of(full, pruned)) {
                for (int step = 0; step < 3; step++) {
                    for (int layer = 0; layer < 8; layer++) {
                        long tokens = step > 0 ? 1 : c == pruned && layer >= k ? kept : t;
                        c.apply(HookPoints.text(layer).residPre(), scope.zeros(new Shape(1, tokens, 96)));
                    }
                    c.apply(HookPoints.LOGITS, scope.zeros(new Shape(1, 1, 44)));
                }
            }
            assertEquals(8 * textLayer(t, t) + 2 * LM_HEAD, full.prefill().total());
            assertEquals(k * textLayer(t, t) + (8 - k) * textLayer(kept, kept) + 2 * LM_HEAD,
                    pruned.prefill().total());
            for (int step = 1; step <= 2; step++) {
                assertEquals(k * textLayer(1, t + step) + (8 - k) * textLayer(1, kept + step) + 2 * LM_HEAD,
                        pruned.passes().get(step).total(), "the pruned layers' KV cache is shorter");
                assertTrue(pruned.passes().get(step).total() < full.passes().get(step).total());
            }
            assertTrue(pruned.prefill().total() < full.prefill().total());
        }
    }

    @Test
    void theCounterPassesActivationsThroughUncopied() {
        FlopCounter counter = new FlopCounter(FlopModel.of(model.model()), true);
        Hooks hooks = counter.attach(new Hooks());
        try (NDManager scope = model.model().manager().newSubManager()) {
            NDArray x = scope.zeros(new Shape(1, 5, 96));
            assertSame(x, counter.apply(HookPoints.text(0).residPre(), x));
            assertSame(x, hooks.at(HookPoints.text(1).residPre(), x), "Hooks copies a replacement that is not the input");
            NDArray logits = scope.zeros(new Shape(1, 1, 44));
            assertSame(logits, hooks.at(HookPoints.LOGITS, logits));
        }
        assertTrue(!hooks.observes(HookPoints.text(0).attnPattern()), "observing patterns would change the pass");
    }

    @Test
    void droppedAttentionAndFactoredMapsCountAsTheyRun() {
        // A plan that drops layer 5's attention (no q, k, v, o listed) and factors layer 6's up projection to
        // rank 8, as a low-rank map of k(m+n) parameters would report.
        long rank = 8;
        LanguageModel compressed = withLinears(model.model(), all -> {
            List<LinearWeight> out = new ArrayList<>();
            for (LinearWeight w : all) {
                boolean attention = List.of("q", "k", "v", "o").contains(w.role());
                if (w.component().equals("text") && w.layer() == 5 && attention) {
                    continue;
                }
                if (w.component().equals("text") && w.layer() == 6 && w.role().equals("up")) {
                    out.add(new LinearWeight(w.name(), w.component(), w.layer(), w.role(), w.inputHook(),
                            factored(w.map(), rank)));
                    continue;
                }
                out.add(w);
            }
            return out;
        });
        FlopModel m = FlopModel.of(compressed);
        FlopModel.Unit five = m.units().stream().filter(u -> u.component().equals("text") && u.layer() == 5)
                .findFirst().orElseThrow();
        assertEquals(0, five.attentionWidth());
        assertEquals(3 * 256 * 96, five.parameters());
        FlopModel.Unit six = m.units().stream().filter(u -> u.component().equals("text") && u.layer() == 6)
                .findFirst().orElseThrow();
        assertEquals(TEXT_LAYER_PARAMS - 256 * 96 + rank * (256 + 96), six.parameters());

        FlopCounter counter = new FlopCounter(m, false);
        Generator.answer(model, item.prompt(), null, GenerationSettings.greedy(1), counter.attach(new Hooks()), null);
        long t = model.processor().encode(item.prompt(), 0).length;
        long expected = 6 * textLayer(t, t) + 2 * 3 * 256 * 96 * t
                + (textLayer(t, t) - 2 * (256 * 96 - rank * (256 + 96)) * t) + 2 * LM_HEAD;
        assertEquals(expected, counter.prefill().total());
    }

    /** A map that reports the parameters of a rank-{@code k} factorisation, {@code k(in + out)}. */
    static LinearMap factored(LinearMap map, long k) {
        return new LinearMap() {
            @Override
            public NDArray apply(NDArray x) {
                return map.apply(x);
            }

            @Override
            public long inFeatures() {
                return map.inFeatures();
            }

            @Override
            public long outFeatures() {
                return map.outFeatures();
            }

            @Override
            public float[] weightRows() {
                return map.weightRows();
            }

            @Override
            public List<NDArray> parameters() {
                throw new UnsupportedOperationException();
            }

            @Override
            public long parameterCount() {
                return k * (map.inFeatures() + map.outFeatures());
            }
        };
    }

    /** {@code model} with its {@code linears()} list rewritten; everything else delegates. */
    static LanguageModel withLinears(LanguageModel model, UnaryOperator<List<LinearWeight>> rewrite) {
        return (LanguageModel) Proxy.newProxyInstance(LanguageModel.class.getClassLoader(),
                new Class<?>[] {LanguageModel.class}, (proxy, method, args) -> {
                    if (method.getName().equals("linears")) {
                        return rewrite.apply(model.linears());
                    }
                    try {
                        return method.invoke(model, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static int argMax(float[] v) {
        int best = 0;
        for (int i = 1; i < v.length; i++) {
            if (v[i] > v[best]) {
                best = i;
            }
        }
        return best;
    }
}
