package org.lvlmworkbench.core.train;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.export.WeightsWriter;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.optim.Adam;
import org.lvlmworkbench.core.optim.GradMode;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.SafetensorsFile;
import org.lvlmworkbench.core.sample.LlavaFolderWriter;
import org.lvlmworkbench.core.sample.RandomLlava;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.lvlmworkbench.core.sample.WordLevelTokenizer;
import org.lvlmworkbench.core.nn.OwnedTensors;

/**
 * Trains the sample LLaVA on {@link ShapesWorld} with DJL autograd, through the very model code and
 * loader that open real checkpoints: the run starts from a random checkpoint written to disk,
 * loads it with {@link ModelLoader}, and trains the loaded tensors in place.
 *
 * <p>State lives in {@code OUT/.training/} (F32 weights, Adam moments, step) and is saved every
 * {@code checkpointEvery} steps, so an interrupted run resumes where it stopped with the same
 * data stream. The finished model is written to {@code OUT} in BF16.
 */
public final class SampleTrainer {

    static final String STATE_DIR = ".training";

    private final Path out;
    private final TrainConfig config;
    private final Consumer<TrainProgress> listener;
    private final ShapesWorld world;
    private final WordLevelTokenizer tokenizer = new WordLevelTokenizer(ShapesWorld.WORDS);

    public SampleTrainer(Path out, TrainConfig config, Consumer<TrainProgress> listener) {
        this.out = out;
        this.config = config;
        this.listener = listener;
        this.world = new ShapesWorld(config.spec().imageSize(), config.seed());
    }

    public ShapesWorld world() {
        return world;
    }

    /** Runs (or resumes) training; returns the final validation accuracy. */
    public double train(BooleanSupplier cancelled) {
        Path state = out.resolve(STATE_DIR);
        Path weights = state.resolve("model");
        int startStep = readStep(state);
        if (startStep == 0) {
            RandomLlava.writeFolder(weights, config.spec(), LlavaKeyLayout.LEGACY, DType.F32, 1, config.seed(),
                    config.init(), tokenizer);
        }
        long started = System.nanoTime();
        try (LoadedModel model = ModelLoader.load(weights, Device.cpu())) {
            Map<String, NDArray> params = trainable(model);
            Adam adam = new Adam(params, model.model().manager());
            if (startStep > 0) {
                restoreMoments(state, adam);
            }
            params.values().forEach(p -> p.setRequiresGradient(true));
            long pad = tokenizer.id(WordLevelTokenizer.PAD);
            long eos = tokenizer.id(WordLevelTokenizer.EOS);
            double accuracy = Double.NaN;
            Map<String, Double> byType = Map.of();
            int skipped = 0;
            for (int step = startStep; step < config.steps(); step++) {
                if (cancelled.getAsBoolean()) {
                    saveState(state, model, adam, step);
                    throw new CancellationException("training cancelled at step " + step + "; state saved in " + state);
                }
                List<org.lvlmworkbench.core.processing.RgbImage> images = new ArrayList<>();
                List<List<ShapesWorld.QA>> turns = new ArrayList<>();
                for (int i = 0; i < config.batchSize(); i++) {
                    ShapesWorld.Conversation c = world.conversation(ShapesWorld.Split.TRAIN,
                            (long) step * config.batchSize() + i, config.turnsPerImage(), config.scenesAt(step));
                    images.add(c.image());
                    turns.add(c.turns());
                }
                double lr = config.learningRate(step);
                double loss = trainStep(model, params, adam, new AnswerBatch(model, images, turns, pad, eos), step, lr);
                if (!Double.isFinite(loss)) {
                    skipped++;
                }
                boolean last = step == config.steps() - 1;
                boolean validated = (step + 1) % config.validateEvery() == 0 || last;
                if (validated) {
                    byType = validate(model, pad, eos);
                    accuracy = byType.get("overall");
                }
                if ((step + 1) % config.checkpointEvery() == 0 && !last) {
                    saveState(state, model, adam, step + 1);
                }
                listener.accept(new TrainProgress(step + 1, config.steps(), loss, lr,
                        validated ? accuracy : Double.NaN, validated ? byType : Map.of(), skipped,
                        (System.nanoTime() - started) / 1e9));
            }
            if (Double.isNaN(accuracy)) {
                accuracy = validate(model, pad, eos).get("overall");
            }
            LlavaFolderWriter.write(out, config.spec(), tokenizer, model.model().parameters(), DType.BF16, 1);
            deleteTree(state);
            return accuracy;
        }
    }

    /** Tensors that receive gradients: LLaVA never reads the vision tower past its feature layer. */
    private Map<String, NDArray> trainable(LoadedModel model) {
        Map<String, NDArray> params = new LinkedHashMap<>();
        int usedLayers = config.spec().visionLayers() - 1;
        model.model().parameters().forEach((name, p) -> {
            boolean unusedVision = name.contains("post_layernorm")
                    || name.contains("encoder.layers." + usedLayers + ".");
            if (!unusedVision) {
                params.put(name, p);
            }
        });
        return params;
    }

    private double trainStep(LoadedModel model, Map<String, NDArray> params, Adam adam, AnswerBatch batch, int step,
            double lr) {
        try (NDScope scope = new NDScope(); NDManager m = model.model().manager().newSubManager()) {
            scope.suppressNotUsedWarning();
            float lossValue;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray pixels = model.processor().pixelValues(batch.images, m);
                NDArray logits = model.model().forward(batch.tokenIds(m), pixels, Hooks.NONE, null);
                NDArray loss = crossEntropy(logits, batch.targetRows, batch.targetTokens, m);
                collector.backward(loss);
                lossValue = loss.getFloat();
            }
            Map<String, NDArray> grads = new LinkedHashMap<>();
            params.forEach((name, p) -> grads.put(name, p.getGradient()));
            // The update writes into leaf parameters in place: grad mode off (see GradMode).
            return GradMode.off(() -> {
                double norm = adam.step(grads, step, lr, config.weightDecay(), config.clipNorm());
                grads.values().forEach(g -> g.muli(0f));
                return Double.isFinite(norm) ? (double) lossValue : Double.NaN;
            });
        }
    }

    static NDArray crossEntropy(NDArray logits, long[] rows, long[] tokens, NDManager m) {
        long vocab = logits.getShape().get(2);
        NDArray flat = logits.reshape(-1, vocab);
        // Row selection as an embedding lookup: differentiable with respect to the logits.
        NDArray picked = Embedding.embedding(OwnedTensors.of(m, rows), flat, SparseFormat.DENSE).singletonOrThrow();
        NDArray logProbs = picked.logSoftmax(1);
        float[] oneHot = new float[(int) (rows.length * vocab)];
        for (int i = 0; i < rows.length; i++) {
            oneHot[(int) (i * vocab + tokens[i])] = 1f;
        }
        NDArray target = OwnedTensors.of(m, oneHot, logProbs.getShape());
        return OwnedTensors.scale(logProbs.mul(target).sum(), -1f / rows.length);
    }

    /** First-token accuracy on the validation split, per question type and "overall". */
    private Map<String, Double> validate(LoadedModel model, long pad, long eos) {
        Map<String, int[]> counts = new java.util.TreeMap<>();
        int batch = config.batchSize();
        for (int start = 0; start < config.validationSize(); start += batch) {
            List<ShapesWorld.Example> examples = new ArrayList<>();
            for (int i = start; i < Math.min(config.validationSize(), start + batch); i++) {
                examples.add(world.example(ShapesWorld.Split.VALIDATION, i));
            }
            AnswerBatch b = AnswerBatch.of(model, examples, pad, eos);
            try (NDScope scope = new NDScope(); NDManager m = model.model().manager().newSubManager()) {
                scope.suppressNotUsedWarning();
                NDArray pixels = model.processor().pixelValues(b.images, m);
                NDArray logits = model.model().forward(b.tokenIds(m), pixels, Hooks.NONE, null);
                long vocab = logits.getShape().get(2);
                float[] all = logits.toFloatArray();
                for (int i = 0; i < b.answerRows.length; i++) {
                    int base = (int) (b.answerRows[i] * vocab);
                    int best = 0;
                    for (int v = 1; v < vocab; v++) {
                        if (all[base + v] > all[base + best]) {
                            best = v;
                        }
                    }
                    int hit = best == b.answerTokens[i] ? 1 : 0;
                    for (String key : List.of(examples.get(i).type().name().toLowerCase(), "overall")) {
                        int[] c = counts.computeIfAbsent(key, k -> new int[2]);
                        c[0] += hit;
                        c[1]++;
                    }
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        counts.forEach((k, c) -> out.put(k, (double) c[0] / c[1]));
        return out;
    }

    // ---- resumable state ----

    /** The step an interrupted run in {@code out} stopped after, or 0 when there is none to resume. */
    public static int resumableStep(Path out) {
        return readStep(out.resolve(STATE_DIR));
    }

    private static int readStep(Path state) {
        Path file = state.resolve("state.json");
        if (!Files.isRegularFile(file)) {
            return 0;
        }
        return JsonFields.read(file).integer("step");
    }

    private void saveState(Path state, LoadedModel model, Adam adam, int step) {
        Path next = state.resolve("model.next");
        LlavaFolderWriter.write(next, config.spec(), tokenizer, model.model().parameters(), DType.F32, 1);
        Map<String, NDArray> moments = new LinkedHashMap<>();
        adam.firstMoments().forEach((k, v) -> moments.put("m." + k, v));
        adam.secondMoments().forEach((k, v) -> moments.put("v." + k, v));
        org.lvlmworkbench.core.safetensors.SafetensorsWriter w = new org.lvlmworkbench.core.safetensors.SafetensorsWriter();
        moments.forEach((k, v) -> w.add(k, v, DType.F32));
        w.write(state.resolve("optimizer.safetensors"));
        try {
            Path current = state.resolve("model");
            Path old = state.resolve("model.old");
            deleteTree(old);
            if (Files.exists(current)) {
                Files.move(current, old);
            }
            Files.move(next, current);
            deleteTree(old);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save training state in " + state + ": " + e.getMessage(), e);
        }
        JsonObject s = new JsonObject();
        s.addProperty("step", step);
        s.addProperty("steps", config.steps());
        WeightsWriter.writeJsonAtomically(state.resolve("state.json"), s);
    }

    private static void restoreMoments(Path state, Adam adam) {
        try (SafetensorsFile f = SafetensorsFile.open(state.resolve("optimizer.safetensors"));
                NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            Map<String, NDArray> first = new LinkedHashMap<>();
            Map<String, NDArray> second = new LinkedHashMap<>();
            for (String name : f.tensors().keySet()) {
                (name.startsWith("m.") ? first : second).put(name.substring(2), f.toNDArray(name, m));
            }
            adam.restore(first, second);
        }
    }


    private static void deleteTree(Path p) {
        if (!Files.exists(p)) {
            return;
        }
        try (var walk = Files.walk(p)) {
            for (Path f : (Iterable<Path>) walk.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    static boolean hasCheckpoint(Path out) {
        return Checkpoint.existsIn(out.resolve(STATE_DIR).resolve("model"));
    }
}
