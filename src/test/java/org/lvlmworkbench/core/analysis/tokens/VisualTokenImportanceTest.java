package org.lvlmworkbench.core.analysis.tokens;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.EncodedProbe;
import org.lvlmworkbench.core.analysis.probe.ProbeEncoder;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.hooks.ActivationCache;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.ForwardInputs;

/** Visual-token importance on the shipped sample, checked against a direct capture of the attention. */
class VisualTokenImportanceTest {

    private static LoadedModel model;
    private static ProbeItem item;
    private static ItemTokenImportance result;

    @BeforeAll
    static void run() {
        model = ModelLoader.load(Path.of("samples/llava-shapes"));
        item = ProbeSet.fromEvalFile(Path.of("samples/shapes-eval/eval.jsonl"), 1).items().get(0);
        result = VisualTokenImportance.runItem(model, item, VisualTokenSettings.defaults(), Progress.NONE);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void headMeanRowsAreTheCapturedAttentionAveragedOverHeads() {
        int layer = 3;
        long[] ids = result.run().table().tokens().stream().mapToLong(t -> t.tokenId()).toArray();
        try (NDManager scope = model.model().manager().newSubManager();
                ActivationCache cache = new ActivationCache(scope)) {
            EncodedProbe probe = ProbeEncoder.encode(model, item, scope);
            String point = HookPoints.text(layer).attnPattern();
            model.model().forward(ForwardInputs.of(scope.create(ids, new Shape(1, ids.length)), probe.pixelValues()),
                    new Hooks().capture(point::equals, cache), null);
            NDArray mean = cache.get(point).mean(new int[] {1}); // [1, T, T]
            float[] m = mean.toFloatArray();
            int t = ids.length;
            int q = result.queryIndex(result.answerQuery());
            for (int i = 0; i < result.imagePositions().length; i++) {
                assertEquals(m[result.answerQuery() * t + result.imagePositions()[i]], result.headMean()[layer][q][i],
                        1e-6, "image token " + i);
            }
        }
    }

    @Test
    void everyRowIsAPartOfADistribution() {
        for (float[][] layer : result.headMean()) {
            for (float[] row : layer) {
                double sum = 0;
                for (float v : row) {
                    assertTrue(v >= 0);
                    sum += v;
                }
                assertTrue(sum <= 1 + 1e-5, "image share of one attention row: " + sum);
            }
        }
        for (float[] row : result.rollout()) {
            double sum = 0;
            for (float v : row) {
                assertTrue(v >= 0);
                sum += v;
            }
            assertTrue(sum <= 1 + 1e-5, "rollout rows distribute one unit over positions: " + sum);
        }
        int heads = result.perHead()[0].length;
        for (int l = 0; l < result.perHead().length; l++) {
            int q = result.queryIndex(result.answerQuery());
            for (int i = 0; i < result.imagePositions().length; i++) {
                double mean = 0;
                for (int h = 0; h < heads; h++) {
                    mean += result.perHead()[l][h][i] / heads;
                }
                assertEquals(result.headMean()[l][q][i], mean, 1e-6, "per-head rows average to the head mean");
            }
        }
    }

    @Test
    void fastVReadsLayerKMinusOneAtTheLastPromptToken() {
        assertArrayEquals(result.headMean()[1][result.queryIndex(result.answerQuery())], result.fastV(2));
        assertEquals(result.run().table().lastPromptPosition(), result.answerQuery());
        assertEquals(36, result.imagePositions().length, "the sample's 6×6 patch grid");
    }

    @Test
    void rolloutOfOneLayerIsHalfItsAttentionPlusHalfTheIdentity() {
        // Two positions, one layer: Ā = [[1, 0], [0.3, 0.7]]; from query 1, r = ½(0.3, 0.7) + ½(0, 1).
        AttentionObserver o = new AttentionObserver(1, new int[] {0}, new int[] {1}, 1);
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray pattern = nd.create(new float[] {1, 0, 0.3f, 0.7f}, new Shape(1, 1, 2, 2));
            Hooks hooks = new Hooks();
            o.beforePass(new org.lvlmworkbench.core.analysis.probe.Pass(0, 0, 2), hooks);
            hooks.at(HookPoints.text(0).attnPattern(), pattern);
        }
        assertEquals(0.15f, o.rollout()[0][0], 1e-7);
        assertEquals(0.3f, o.headMean()[0][0][0], 1e-7);
    }
}
