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

    /**
     * How the embeddings start. {@link #SAMPLE} is the scheme the shipped 8-layer sample was trained
     * from (kept so its recipe still reproduces it): every embedding, the patch convolution included,
     * at a fixed 0.5. {@link #FAN_IN_PATCHES} treats the patch convolution as the matrix it is
     * (1/sqrt(3·p·p)): at 0.5 a patch's content outweighs its position embedding about fourteen to
     * one after the pre-norm, and a deep tower was slow to learn where a shape is. {@link
     * #STRONG_POSITIONS} keeps the patch convolution of {@link #SAMPLE} and starts the position
     * embeddings at 3.0 instead: positions then sit in every patch's features from the first step,
     * while the content features learn at the pace that worked (at fan-in scale Adam's fixed step
     * moved the small convolution weights 1.4 % a step and the deep sample did not learn shapes).
     * {@link #SINCOS_POSITIONS} starts them at a root-mean-square of 2.0 (3.0 slowed shape learning) as MAE's fixed 2-D sine-cosine
     * grid (half the channels encode the row, half the column, at geometric frequencies) instead of
     * independent noise: a patch's column is then a linear read-out from the first step, and
     * neighbouring columns have neighbouring codes, so "left" and "left of" are one direction to
     * learn rather than 64 unrelated vectors to sort (random positions left the deep sample reading
     * a shape's column at 83 % and "left of" at 56 %).
     */
    public enum Init { SAMPLE, FAN_IN_PATCHES, STRONG_POSITIONS, SINCOS_POSITIONS }

    /** The position embeddings' starting scale under {@link Init#STRONG_POSITIONS}. */
    static final double STRONG_POSITION_STD = 3.0;
    /** The sine-cosine table's root-mean-square under {@link Init#SINCOS_POSITIONS}. */
    static final double SINCOS_POSITION_RMS = 2.0;

    public static Map<String, NDArray> weights(LlavaSpec spec, LlavaKeyLayout layout, int vocab, long seed,
            NDManager manager) {
        return weights(spec, layout, vocab, seed, Init.SAMPLE, manager);
    }

    public static Map<String, NDArray> weights(LlavaSpec spec, LlavaKeyLayout layout, int vocab, long seed, Init init,
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
                for (int i = 0; i < n; i++) {
                    values[i] = (float) (random.nextGaussian() * initStd(name, shape, spec, init));
                }
            }
            if (init == Init.SINCOS_POSITIONS && isVisionPositions(name)) {
                // Drawn above all the same, so every other tensor matches STRONG_POSITIONS's.
                values = sinCosPositions(spec.patchesPerSide(), (int) shape[1], SINCOS_POSITION_RMS);
            }
            out.put(name, manager.create(values, new Shape(shape)));
        }
        return out;
    }

    /**
     * Embeddings start at a fixed scale (norms follow them); matrices at 1/sqrt(fan-in); the
     * projections that write into the residual stream are further scaled by 1/sqrt(2 x depth), as
     * in GPT-2, so every block starts close to the identity and deep stacks train from the start;
     * biases start small but non-zero, so tests can tell a loaded bias from a missing one.
     */
    static double initStd(String name, long[] shape, LlavaSpec spec, Init init) {
        if ((init == Init.STRONG_POSITIONS || init == Init.SINCOS_POSITIONS) && isVisionPositions(name)) {
            return STRONG_POSITION_STD;
        }
        boolean patchMatrix = init == Init.FAN_IN_PATCHES && name.contains("patch_embedding");
        if (name.contains("embed") && !patchMatrix) {
            return 0.5;
        }
        if (shape.length < 2) {
            return 0.02;
        }
        double std = 1.0 / Math.sqrt((double) new Shape(shape).size() / shape[0]);
        if (name.contains("o_proj") || name.contains("down_proj")) {
            std /= Math.sqrt(2.0 * spec.textLayers());
        } else if (name.contains("out_proj") || name.contains("fc2")) {
            std /= Math.sqrt(2.0 * spec.visionLayers());
        }
        return std;
    }

    private static boolean isVisionPositions(String name) {
        return name.contains("vision") && name.contains("position_embedding");
    }

    /**
     * A 2-D sine-cosine position table after MAE (He et al. 2021, {@code get_2d_sincos_pos_embed}),
     * scaled to root-mean-square {@code rms}, for CLIP's table of shape [1 + grid², width]: row 0
     * is the class token's (zeros, as in MAE), row 1 + r·grid + c is patch (r, c) in raster order.
     * The first half of the channels encodes the row, the second the column; within a half, the
     * first quarter is sin(p·ω_i) and the second cos(p·ω_i). MAE's frequencies 10000^(−i/(width/4))
     * suit its 14×14 grid; on an 8×8 grid three quarters of them barely turn, so the frequencies
     * here run geometrically from π/2 (a quarter turn per patch: neighbours differ) down to
     * π/(2·grid) (a quarter turn across the grid: that sine grows monotonically left to right).
     */
    static float[] sinCosPositions(int grid, int width, double rms) {
        if (width % 4 != 0) {
            throw new IllegalArgumentException("2-D sine-cosine positions need a width divisible by 4, got " + width);
        }
        int quarter = width / 4;
        double[] table = new double[(1 + grid * grid) * width];
        double sumSquares = 0;
        double fastest = Math.PI / 2;
        double slowest = Math.PI / (2.0 * grid);
        for (int r = 0; r < grid; r++) {
            for (int c = 0; c < grid; c++) {
                int base = (1 + r * grid + c) * width;
                for (int i = 0; i < quarter; i++) {
                    double omega = fastest * Math.pow(slowest / fastest, quarter == 1 ? 0 : (double) i / (quarter - 1));
                    table[base + i] = Math.sin(r * omega);
                    table[base + quarter + i] = Math.cos(r * omega);
                    table[base + 2 * quarter + i] = Math.sin(c * omega);
                    table[base + 3 * quarter + i] = Math.cos(c * omega);
                }
            }
        }
        for (double v : table) {
            sumSquares += v * v;
        }
        double scale = rms / Math.sqrt(sumSquares / (grid * grid * width));
        float[] out = new float[table.length];
        for (int i = 0; i < table.length; i++) {
            out[i] = (float) (table[i] * scale);
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
        writeFolder(folder, spec, layout, dtype, shards, seed, Init.SAMPLE, tokenizer);
    }

    public static void writeFolder(Path folder, LlavaSpec spec, LlavaKeyLayout layout, DType dtype, int shards,
            long seed, Init init, WordLevelTokenizer tokenizer) {
        try (NDManager manager = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            Map<String, NDArray> w = weights(spec, layout, tokenizer.size(), seed, init, manager);
            LlavaFolderWriter.write(folder, spec, tokenizer, w, dtype, shards);
        }
    }
}
