package org.lvlmworkbench.core.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.sample.RandomLlava;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.lvlmworkbench.core.sample.WordLevelTokenizer;

/**
 * The trainer's gradients are the loss's derivatives: for a random direction {@code d} in one tensor,
 * {@code ∇L·d} from autograd equals the central difference {@code (L(θ+εd) − L(θ−εd)) / 2ε}, for a
 * tensor of every part (vision tower, projector, decoder, embeddings). A forward pass that leaves
 * autograd anywhere (a Java kernel, a gather over a mapping) fails here, not after an hour of training.
 */
class GradientCheckTest {

    @Test
    void directionalDerivativesMatchCentralDifferences() throws Exception {
        TrainConfig config = TrainConfig.tiny(1);
        Path dir = Files.createTempDirectory("grad-check");
        WordLevelTokenizer tokenizer = new WordLevelTokenizer(ShapesWorld.WORDS);
        RandomLlava.writeFolder(dir, config.spec(), LlavaKeyLayout.LEGACY, DType.F32, 1, 9, tokenizer);
        ShapesWorld world = new ShapesWorld(config.spec().imageSize(), 9);
        List<String> names = List.of("vision_tower.vision_model.embeddings.patch_embedding.weight",
                "language_model.model.layers.1.mlp.down_proj.weight", "language_model.model.norm.weight",
                "language_model.model.layers.1.post_attention_layernorm.weight",
                "vision_tower.vision_model.encoder.layers.0.self_attn.q_proj.weight",
                "multi_modal_projector.linear_1.weight", "multi_modal_projector.linear_2.bias",
                "language_model.model.layers.0.self_attn.k_proj.weight",
                "language_model.model.layers.1.mlp.down_proj.weight", "language_model.model.embed_tokens.weight",
                "language_model.lm_head.weight");
        try (LoadedModel m = ModelLoader.load(dir, Device.cpu())) {
            Map<String, NDArray> params = m.model().parameters();
            params.values().forEach(p -> p.setRequiresGradient(true));
            List<ShapesWorld.Example> examples = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                examples.add(world.example(ShapesWorld.Split.TRAIN, i));
            }
            AnswerBatch batch = AnswerBatch.of(m, examples, 0, tokenizer.id(WordLevelTokenizer.EOS));
            try (NDManager scope = m.model().manager().newSubManager()) {
                try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                    collector.backward(loss(m, batch, scope));
                }
                Random random = new Random(3);
                List<String> wrong = new ArrayList<>();
                for (String name : names) {
                    NDArray p = params.get(name);
                    float[] g = p.getGradient().toFloatArray();
                    float[] d = new float[g.length];
                    double analytic = 0;
                    for (int i = 0; i < d.length; i++) {
                        d[i] = (float) random.nextGaussian();
                        analytic += (double) g[i] * d[i];
                    }
                    double eps = 1e-3;
                    double up = shifted(m, batch, scope, p, d, eps);
                    double down = shifted(m, batch, scope, p, d, -eps);
                    double numeric = (up - down) / (2 * eps);
                    double error = Math.abs(numeric - analytic) / Math.max(1e-4, Math.abs(analytic));
                    if (error > 0.01) {
                        wrong.add(name + ": autograd " + analytic + ", finite difference " + numeric);
                    }
                }
                assertTrue(wrong.isEmpty(), String.join("\n", wrong));
            }
        }
    }

    private static NDArray loss(LoadedModel m, AnswerBatch batch, NDManager scope) {
        NDArray logits = m.model().forward(batch.tokenIds(scope), m.processor().pixelValues(batch.images, scope),
                Hooks.NONE, null);
        return SampleTrainer.crossEntropy(logits, batch.targetRows, batch.targetTokens, scope);
    }

    /** The loss with {@code p} moved by {@code eps·d} (in place, then restored), without recording gradients. */
    private static double shifted(LoadedModel m, AnswerBatch batch, NDManager scope, NDArray p, float[] d, double eps) {
        boolean gradMode = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try (NDManager step = scope.newSubManager()) {
            NDArray delta = step.create(d, p.getShape()).mul((float) eps);
            p.addi(delta);
            double value = loss(m, batch, step).getFloat();
            p.subi(delta);
            return value;
        } finally {
            JniUtils.setGradMode(gradMode);
        }
    }
}
