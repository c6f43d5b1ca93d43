package org.lvlmworkbench.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.sample.RandomLlava;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.lvlmworkbench.core.sample.WordLevelTokenizer;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * Gradients must not depend on what the JVM does between the forward pass and backward(). Tensors
 * the forward pass builds from Java arrays (rotary tables, masks, gather indices) are freed when
 * it returns; if PyTorch only borrowed their memory, a garbage collection before backward()
 * lets other data overwrite it and the gradients silently change.
 */
class GradientLifetimeTest {

    @Test
    void gradientsSurviveGarbageCollectionBeforeBackward() throws Exception {
        TrainConfig config = TrainConfig.tiny(1);
        Path dir = Files.createTempDirectory("grad-lifetime");
        WordLevelTokenizer tokenizer = new WordLevelTokenizer(ShapesWorld.WORDS);
        RandomLlava.writeFolder(dir, config.spec(), LlavaKeyLayout.LEGACY, DType.F32, 1, 5, tokenizer);
        ShapesWorld world = new ShapesWorld(config.spec().imageSize(), 5);
        try (LoadedModel m = ModelLoader.load(dir, Device.cpu())) {
            m.model().parameters().values().forEach(p -> p.setRequiresGradient(true));
            List<ShapesWorld.Example> examples = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                examples.add(world.example(ShapesWorld.Split.TRAIN, i));
            }
            AnswerBatch batch = AnswerBatch.of(m, examples, 0, tokenizer.id(WordLevelTokenizer.EOS));
            Map<String, float[]> calm = gradients(m, batch, false);
            Map<String, float[]> stormy = gradients(m, batch, true);
            for (String name : calm.keySet()) {
                assertArrayEquals(calm.get(name), stormy.get(name), 1e-5f, name);
            }
            assertTrue(calm.values().stream().anyMatch(g -> g.length > 0 && Math.abs(g[0]) > 0));
        }
    }

    private static Map<String, float[]> gradients(LoadedModel m, AnswerBatch batch, boolean churnMemory) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (NDManager scope = m.model().manager().newSubManager()) {
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray logits = m.model().forward(batch.tokenIds(scope),
                        m.processor().pixelValues(batch.images, scope), Hooks.NONE, null);
                NDArray loss = SampleTrainer.crossEntropy(logits, batch.targetRows, batch.targetTokens, scope);
                if (churnMemory) {
                    churn();
                }
                collector.backward(loss);
            }
            m.model().parameters().forEach((name, p) -> {
                try {
                    NDArray g = p.getGradient();
                    out.put(name, g.toFloatArray());
                    g.muli(0f);
                } catch (IllegalStateException unused) {
                    // Vision layers past the feature layer get no gradient.
                }
            });
        }
        return out;
    }

    /** Frees unreachable direct buffers and fills fresh ones with junk, where freed memory lands. */
    private static void churn() {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            List<ByteBuffer> junk = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4096);
                while (b.hasRemaining()) {
                    b.put((byte) 0x7f);
                }
                junk.add(b);
            }
            junk.clear();
        }
    }
}
