package org.lvlmworkbench.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.SafetensorsFile;

class SampleTrainerTest {

    @TempDir
    Path dir;

    /**
     * PyTorch keeps grad mode per thread, on by default; the engine turns it off only on the thread that
     * started it. Training on any other thread (the app's worker, a test runner's) must still work.
     */
    @Test
    void trainsOnAThreadWhereGradModeIsOn() throws Exception {
        Throwable[] failure = new Throwable[1];
        Thread t = new Thread(() -> {
            try {
                ai.djl.pytorch.jni.JniUtils.setGradMode(true);
                new SampleTrainer(dir.resolve("g"), TrainConfig.tiny(2), p -> { }).train(() -> false);
            } catch (Throwable e) {
                failure[0] = e;
            }
        });
        t.start();
        t.join();
        assertEquals(null, failure[0], () -> "training failed: " + failure[0]);
    }

    @Test
    void lossFallsOnATinyConfiguration() {
        List<Double> losses = new ArrayList<>();
        TrainConfig config = TrainConfig.tiny(40);
        new SampleTrainer(dir.resolve("m"), config, p -> losses.add(p.loss())).train(() -> false);
        assertEquals(40, losses.size());
        double first = losses.subList(0, 5).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = losses.subList(35, 40).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(last < 0.6 * first, "loss should fall: first steps " + first + ", last steps " + last);
        // The result is a loadable BF16 LLaVA folder, and the training state is cleaned up.
        try (LoadedModel m = ModelLoader.load(dir.resolve("m"), Device.cpu())) {
            assertEquals("llava", m.model().modelType());
        }
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("m/model.safetensors"))) {
            assertTrue(f.tensors().values().stream().allMatch(e -> e.dtype() == DType.BF16));
        }
        assertFalse(Files.exists(dir.resolve("m").resolve(SampleTrainer.STATE_DIR)));
    }

    @Test
    void anInterruptedRunResumesWhereItStopped() {
        TrainConfig base = TrainConfig.tiny(8);
        TrainConfig config = new TrainConfig(base.spec(), 8, base.batchSize(), base.turnsPerImage(), base.learningRate(),
                base.minLearningRateRatio(), base.warmupSteps(), 0.01, base.clipNorm(), base.seed(), 1000, 8, 3, base.init(),
                org.lvlmworkbench.core.sample.ShapesWorld.SceneMix.BINDING_WHERE, 4);
        // Run A stops after 5 steps; run B stops after 3, resumes, and stops after 5 too (across the switch
        // from uniform scenes to the binding mix at step 4).
        stopAfter(dir.resolve("a"), config, 5, List.of(1, 2, 3, 4, 5));
        stopAfter(dir.resolve("b"), config, 3, List.of(1, 2, 3));
        assertTrue(SampleTrainer.hasCheckpoint(dir.resolve("b")));
        stopAfter(dir.resolve("b"), config, 5, List.of(4, 5));

        // PyTorch's multi-threaded CPU kernels may reorder float sums between runs, so the weights
        // agree to rounding noise (~1e-6); restarting the optimizer instead would move them by ~1e-3.
        Path wa = dir.resolve("a").resolve(SampleTrainer.STATE_DIR).resolve("model/model.safetensors");
        Path wb = dir.resolve("b").resolve(SampleTrainer.STATE_DIR).resolve("model/model.safetensors");
        try (SafetensorsFile a = SafetensorsFile.open(wa); SafetensorsFile b = SafetensorsFile.open(wb);
                ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            assertEquals(a.tensors().keySet(), b.tensors().keySet());
            double worst = 0;
            for (String name : a.tensors().keySet()) {
                float[] x = a.toNDArray(name, m).toFloatArray();
                float[] y = b.toNDArray(name, m).toFloatArray();
                for (int i = 0; i < x.length; i++) {
                    worst = Math.max(worst, Math.abs(x[i] - y[i]));
                }
            }
            assertTrue(worst < 1e-4, "resumed weights differ by up to " + worst);
        }
    }

    /**
     * Every tensor the trainer says it trains moves: a weight read outside autograd (a row gather or a
     * Java kernel over the mapping) would silently stay at its random start.
     */
    @Test
    void everyTrainableTensorMoves() throws Exception {
        TrainConfig base = TrainConfig.tiny(4);
        TrainConfig config = new TrainConfig(base.spec(), 4, base.batchSize(), base.turnsPerImage(), base.learningRate(),
                base.minLearningRateRatio(), base.warmupSteps(), 0.0, base.clipNorm(), base.seed(), 1000, 8, 2, base.init(), base.scenes(), 0);
        stopAfter(dir.resolve("t"), config, 3, List.of(1, 2, 3));
        Path start = dir.resolve("start");
        org.lvlmworkbench.core.sample.RandomLlava.writeFolder(start, config.spec(),
                org.lvlmworkbench.core.arch.llava.LlavaKeyLayout.LEGACY, DType.F32, 1, config.seed(),
                new org.lvlmworkbench.core.sample.WordLevelTokenizer(org.lvlmworkbench.core.sample.ShapesWorld.WORDS));
        Path trained = dir.resolve("t").resolve(SampleTrainer.STATE_DIR).resolve("model/model.safetensors");
        int unusedVisionLayer = config.spec().visionLayers() - 1;
        List<String> frozen = new ArrayList<>();
        try (SafetensorsFile a = SafetensorsFile.open(start.resolve("model.safetensors"));
                SafetensorsFile b = SafetensorsFile.open(trained);
                ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            for (String name : a.tensors().keySet()) {
                if (name.contains("post_layernorm") || name.contains("encoder.layers." + unusedVisionLayer + ".")) {
                    continue;
                }
                float[] x = a.toNDArray(name, m).toFloatArray();
                float[] y = b.toNDArray(name, m).toFloatArray();
                double moved = 0;
                for (int i = 0; i < x.length; i++) {
                    moved = Math.max(moved, Math.abs(x[i] - y[i]));
                }
                if (moved == 0) {
                    frozen.add(name);
                }
            }
        }
        assertEquals(List.of(), frozen, "tensors that training never moved");
    }

    private static void stopAfter(Path out, TrainConfig config, int stopStep, List<Integer> expectedSteps) {
        List<Integer> steps = new ArrayList<>();
        SampleTrainer t = new SampleTrainer(out, config, p -> steps.add(p.step()));
        assertThrows(CancellationException.class,
                () -> t.train(() -> !steps.isEmpty() && steps.get(steps.size() - 1) >= stopStep));
        assertEquals(expectedSteps, steps);
    }
}
