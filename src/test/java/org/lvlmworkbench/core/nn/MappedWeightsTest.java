package org.lvlmworkbench.core.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.arch.llava.LlavaModel;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.testing.SystemProperties;
import org.lvlmworkbench.testing.TinyModels;

/**
 * 16-bit weights kept in their stored precision: every BF16 and F16 bit pattern widens exactly,
 * the SIMD and scalar kernels agree with a float32 product, and a whole model opened this way
 * answers like its float32 widening.
 */
class MappedWeightsTest {

    /** F16 bits as a float, by the definition of the format (a reference independent of the kernels). */
    private static float f16Reference(int h) {
        int sign = (h >> 15) & 1;
        int exp = (h >> 10) & 0x1F;
        int mant = h & 0x3FF;
        double v;
        if (exp == 0) {
            v = mant * Math.pow(2, -24);
        } else if (exp == 31) {
            v = mant == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else {
            v = (1 + mant / 1024.0) * Math.pow(2, exp - 15);
        }
        return (float) (sign == 1 ? -v : v);
    }

    @Test
    void everySixteenBitPatternWidensExactly() {
        ByteBuffer src = ByteBuffer.allocateDirect(2 * 65536).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 65536; i++) {
            src.putShort(2 * i, (short) i);
        }
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            MappedMatrix m = new MappedMatrix("all-" + dtype, src, dtype, 256, 256);
            ByteBuffer out = ByteBuffer.allocateDirect(4 * 65536).order(ByteOrder.LITTLE_ENDIAN);
            m.widenInto(out);
            for (int i = 0; i < 65536; i++) {
                float expected = dtype == DType.BF16 ? Float.intBitsToFloat(i << 16) : f16Reference(i);
                float actual = out.getFloat(4 * i);
                if (Float.isNaN(expected)) {
                    assertTrue(Float.isNaN(actual), dtype + " pattern " + Integer.toHexString(i));
                } else {
                    assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(actual),
                            dtype + " pattern " + Integer.toHexString(i));
                }
            }
            assertTrue(m.anyNonFinite(), dtype + ": the table holds infinities and NaNs");
        }
    }

    private static ByteBuffer randomHalf(DType dtype, int count, long seed) {
        Random r = new Random(seed);
        ByteBuffer b = ByteBuffer.allocateDirect(2 * count).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            float v = (float) (r.nextGaussian() * 0.05);
            int bits = dtype == DType.BF16 ? Float.floatToIntBits(v) >>> 16 : toF16(v);
            b.putShort(2 * i, (short) bits);
        }
        return b;
    }

    /** Round-toward-zero float to F16 for normal values: enough to make test data. */
    private static int toF16(float v) {
        int bits = Float.floatToIntBits(v);
        int sign = (bits >>> 16) & 0x8000;
        int exp = ((bits >>> 23) & 0xFF) - 127 + 15;
        if (exp <= 0) {
            return sign;
        }
        return sign | exp << 10 | (bits >>> 13) & 0x3FF;
    }

    /** The reference path: exact widening, float32 products (the BF16 GEMM's own check is {@link Bf16GemmTest}). */
    @Test
    void matrixVectorAndGemmPathsAgreeWithFloat32() {
        SystemProperties.with(Bf16Gemm.SETTING, "f32", this::pathsAgree);
    }

    private void pathsAgree() {
        int rows = 300;
        int cols = 259; // odd, and not a multiple of the vector length: every tail is exercised
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            MappedMatrix m = new MappedMatrix("w", randomHalf(dtype, rows * cols, 1), dtype, rows, cols);
            try (NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                ByteBuffer wide = ByteBuffer.allocateDirect(4 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
                m.widenInto(wide);
                NDArray w = nd.create(wide, new Shape(rows, cols), ai.djl.ndarray.types.DataType.FLOAT32);
                NDArray bias = nd.randomNormal(new Shape(rows));
                Linear dense = new Linear(w, bias);
                MappedLinear reduced = new MappedLinear(m, bias);
                for (int n : new int[] {1, 3, 17}) {
                    NDArray x = nd.randomNormal(new Shape(1, n, cols));
                    float[] expected = dense.apply(x).toFloatArray();
                    float[] actual = reduced.apply(x).toFloatArray();
                    assertArrayEquals(expected, actual, 2e-5f, dtype + ", " + n + " rows");
                }
            }
        }
    }

    @Test
    void aModelKeptInSixteenBitsAnswersLikeItsFloat32Widening() {
        RgbImage image = new RgbImage(36, 36, new byte[36 * 36 * 3]);
        for (DType dtype : new DType[] {DType.BF16, DType.F16}) {
            java.nio.file.Path folder = TinyModels.folder(LlavaKeyLayout.LEGACY, dtype, 1);
            float[] reducedLogits;
            long[] reducedTokens;
            try (LoadedModel m = ModelLoader.load(folder, Device.cpu())) {
                LlavaModel llava = (LlavaModel) m.model();
                assertInstanceOf(MappedLinear.class, llava.decoder().layers().get(0).q, "kept in " + dtype);
                // Exact widening in the prefill too: the comparison below is to the float32 copy's ulp.
                reducedLogits = SystemProperties.with(Bf16Gemm.SETTING, "f32", () -> logits(m, image));
                reducedTokens = SystemProperties.with(Bf16Gemm.SETTING, "f32", () -> Generator.answer(m,
                        "how many circle?", image, GenerationSettings.greedy(6), Hooks.NONE, null).newIds());
            }
            String previous = System.setProperty("lvlm.weights", "f32");
            try (LoadedModel m = ModelLoader.load(folder, Device.cpu())) {
                assertInstanceOf(Linear.class, ((LlavaModel) m.model()).decoder().layers().get(0).q);
                assertArrayEquals(logits(m, image), reducedLogits, 1e-5f, dtype + " logits");
                assertArrayEquals(Generator.answer(m, "how many circle?", image, GenerationSettings.greedy(6),
                        Hooks.NONE, null).newIds(), reducedTokens, dtype + " greedy tokens");
            } finally {
                if (previous == null) {
                    System.clearProperty("lvlm.weights");
                } else {
                    System.setProperty("lvlm.weights", previous);
                }
            }
        }
    }

    private static float[] logits(LoadedModel m, RgbImage image) {
        try (NDManager scope = m.model().manager().newSubManager()) {
            long[] ids = m.processor().encode("how many circle?", 1);
            NDArray pixels = m.processor().pixelValues(List.of(image), scope);
            return m.model().forward(scope.create(ids, new Shape(1, ids.length)), pixels, Hooks.NONE, null)
                    .toFloatArray();
        }
    }

    @Test
    void theSimdKernelMatchesADoubleReference() {
        assertTrue(MappedMatrix.SIMD, "the tests run with --add-modules jdk.incubator.vector");
        int rows = 70;
        int cols = 130;
        MappedMatrix m = new MappedMatrix("w", randomHalf(DType.F16, rows * cols, 2), DType.F16, rows, cols);
        float[] x = new float[cols];
        Random r = new Random(3);
        for (int i = 0; i < cols; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] simd = new float[rows];
        m.multiply(x, 1, simd);
        float[] scalar = new float[rows];
        for (int o = 0; o < rows; o++) {
            double s = 0;
            for (int i = 0; i < cols; i++) {
                s += HalfKernels.widen(m.rawBits(o, i), DType.F16) * (double) x[i];
            }
            scalar[o] = (float) s;
        }
        assertArrayEquals(scalar, simd, 1e-4f);
    }
}
