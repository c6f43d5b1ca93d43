package org.lvlmworkbench.core.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * Seeded random LLaVA weights in HF layout: the starting point of training, and the test fixture
 * for the loader. Norm scales start at one and biases at zero, as in PyTorch's default init;
 * matrices are scaled by 1/sqrt(fan-in) so activations stay in range at any depth.
 */
public final class RandomLlava {

    /** Words of the small vocabulary used by random test checkpoints. */
    public static final List<String> TEST_WORDS = List.of("user", "assistant", ":", "?", ".", "what", "color",
            "is", "the", "shape", "circle", "square", "triangle", "red", "green", "blue", "yellow", "how", "many",
            "left", "right", "top", "bottom", "one", "two", "three", "a", "of", "in", "image");

    private RandomLlava() {
    }

    public static Map<String, NDArray> weights(LlavaSpec spec, LlavaKeyLayout layout, int vocab, long seed,
            NDManager manager) {
        Random random = new Random(seed);
        Map<String, NDArray> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : LlavaFolderWriter.tensorShapes(spec, layout, vocab).entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = (int) new Shape(shape).size();
            float[] values = new float[n];
            if (name.contains("norm")) {
                if (name.endsWith(".weight")) {
                    java.util.Arrays.fill(values, 1f);
                }
            } else {
                boolean embedding = name.contains("embed");
                double std = embedding || shape.length < 2 ? 0.5 : 1.0 / Math.sqrt((double) n / shape[0]);
                for (int i = 0; i < n; i++) {
                    values[i] = (float) (random.nextGaussian() * std);
                }
            }
            out.put(name, manager.create(values, new Shape(shape)));
        }
        return out;
    }

    /** Writes a random-weight LLaVA folder and returns its tokenizer. */
    public static WordLevelTokenizer writeFolder(Path folder, LlavaSpec spec, LlavaKeyLayout layout, DType dtype,
            int shards, long seed) {
        WordLevelTokenizer tokenizer = new WordLevelTokenizer(TEST_WORDS);
        writeFolder(folder, spec, layout, dtype, shards, seed, tokenizer);
        return tokenizer;
    }

    public static void writeFolder(Path folder, LlavaSpec spec, LlavaKeyLayout layout, DType dtype, int shards,
            long seed, WordLevelTokenizer tokenizer) {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            Map<String, NDArray> w = weights(spec, layout, tokenizer.size(), seed, manager);
            LlavaFolderWriter.write(folder, spec, tokenizer, w, dtype, shards);
        }
    }
}
