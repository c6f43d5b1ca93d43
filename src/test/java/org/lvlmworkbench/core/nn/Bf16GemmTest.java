package org.lvlmworkbench.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.testing.SystemProperties;

/** The prefill's oneDNN BF16 GEMM and the rounding of its inputs. */
class Bf16GemmTest {

    @Test
    void roundingToBf16IsNearestEvenAsTorchDoesIt() {
        int[] special = {0, 0x80000000, 0x3F808000, 0x3F818000, 0x3F808001, 0x3F80FFFF, 0x7F7FFFFF, 0xFF7FFFFF,
            0x7F800000, 0xFF800000, 0x7FC00000, 0x7F800001, 0xFF800001, 0x00000001, 0x807FFFFF, 0x7F7F8000};
        Random r = new Random(5);
        int n = 4096 + 7; // a vector tail too
        ByteBuffer src = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            src.putInt(4 * i, i < special.length ? special[i] : r.nextInt());
        }
        ByteBuffer dst = ByteBuffer.allocateDirect(2 * n).order(ByteOrder.LITTLE_ENDIAN);
        HalfKernels.narrowToBf16(src, dst, n);
        for (int i = 0; i < n; i++) {
            int bits = src.getInt(4 * i);
            int got = dst.getShort(2 * i) & 0xFFFF;
            assertEquals(HalfKernels.narrowToBf16(bits) & 0xFFFF, got, "vector and scalar agree at " + i);
            float v = Float.intBitsToFloat(bits);
            if (Float.isNaN(v)) {
                assertTrue(Float.isNaN(Float.intBitsToFloat(got << 16)), "NaN stays NaN: " + Integer.toHexString(bits));
            } else {
                assertEquals(nearestEven(bits), got, "0x" + Integer.toHexString(bits));
            }
        }
    }

    /** The bf16 value nearest to the float (exact decimal arithmetic), ties to the even mantissa. */
    private static int nearestEven(int bits) {
        int down = bits >>> 16;
        int up = down + 1;
        float v = Float.intBitsToFloat(bits);
        if (Float.isInfinite(v)) {
            return down;
        }
        BigDecimal x = new BigDecimal(v);
        BigDecimal a = new BigDecimal(Float.intBitsToFloat(down << 16));
        float upValue = Float.intBitsToFloat(up << 16);
        if (Float.isInfinite(upValue)) {
            // Beyond the largest bf16 by at least half an ulp rounds to infinity, as IEEE does.
            BigDecimal halfway = a.add(new BigDecimal(Math.ulp(Float.intBitsToFloat(down << 16)) * 65536.0 / 2)
                    .multiply(BigDecimal.valueOf(v < 0 ? -1 : 1)));
            return x.abs().compareTo(halfway.abs()) >= 0 ? up : down;
        }
        BigDecimal b = new BigDecimal(upValue);
        int c = x.subtract(a).abs().compareTo(x.subtract(b).abs());
        return c < 0 ? down : c > 0 ? up : (down & 1) == 0 ? down : up;
    }

    @Test
    void theProductIsBf16InputsWithFloat32Accumulation() {
        assumeTrue(Bf16Gemm.available(), "skipped: no oneDNN bf16 matmul on this machine (" + Bf16Gemm.status() + ")");
        int rows = 300;
        int cols = 259; // odd, and not a multiple of any block size
        Random r = new Random(1);
        ByteBuffer w = ByteBuffer.allocateDirect(2 * rows * cols).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < rows * cols; i++) {
            w.putShort(2 * i, (short) (Float.floatToIntBits((float) (r.nextGaussian() * 0.05)) >>> 16));
        }
        MappedMatrix m = new MappedMatrix("w", w, DType.BF16, rows, cols);
        try (NDManager nd = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray x = nd.randomNormal(new Shape(2, 17, cols));
            float[] xs = x.toFloatArray();
            float[] y = SystemProperties.with(Bf16Gemm.SETTING, "bf16", () -> {
                assertTrue(Bf16Gemm.enabled());
                NDArray out = new MappedLinear(m, null).apply(x);
                assertEquals(new Shape(2, 17, rows), out.getShape());
                return out.toFloatArray();
            });
            double worst = 0;
            for (int t = 0; t < 2 * 17; t++) {
                for (int o = 0; o < rows; o++) {
                    double exact = 0;
                    double magnitude = 0;
                    for (int i = 0; i < cols; i++) {
                        double wi = HalfKernels.widen(m.rawBits(o, i), DType.BF16);
                        double xi = Float.intBitsToFloat((HalfKernels.narrowToBf16(Float.floatToIntBits(xs[t * cols + i]))
                                & 0xFFFF) << 16);
                        exact += wi * xi;
                        magnitude += Math.abs(wi * xi);
                    }
                    // Float32 accumulation of exact bf16 products: within a few ulps of the magnitude sum.
                    worst = Math.max(worst, Math.abs(y[t * rows + o] - exact) / (magnitude * Math.ulp(1f)));
                }
            }
            assertTrue(worst < 64, "error in float32 ulps of Σ|w·x|: " + worst);
        }
    }

    @Test
    void theReferenceSettingKeepsTheWideningPathAndABadSettingIsNamed() {
        SystemProperties.with(Bf16Gemm.SETTING, "f32", () -> {
            assertFalse(Bf16Gemm.enabled());
            assertTrue(Bf16Gemm.status().contains("f32"), Bf16Gemm.status());
        });
        SystemProperties.with(Bf16Gemm.SETTING, "fast", () -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Bf16Gemm::enabled);
            assertTrue(e.getMessage().contains("lvlm.prefillGemm") && e.getMessage().contains("fast"), e.getMessage());
        });
    }

}
