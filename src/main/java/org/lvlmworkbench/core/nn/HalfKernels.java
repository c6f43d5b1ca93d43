package org.lvlmworkbench.core.nn;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.lvlmworkbench.core.safetensors.BFloat16;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * SIMD kernels (the JDK's Vector API) over 16-bit weights as they lie in the checkpoint's mapping:
 * row dot products for decoding, where the step is bound by how many bytes stream from memory
 * (16-bit weights stream half the bytes of float32), and widening to float32 for prefill's GEMMs.
 *
 * <p>Both 16-bit formats widen exactly. BF16 is the top half of a float32. F16 is rebuilt from its
 * bits: the magnitude shifted into float32's exponent and mantissa fields and multiplied by 2¹¹²
 * (which also produces subnormals exactly), infinities and NaNs patched in, the sign restored.
 *
 * <p>A dot product reads 32 weights per step as 16 ints: each int holds an even-indexed weight in its
 * low half and the next one in its high half (little-endian), so the caller passes {@code x}
 * split into its even and odd elements and no shuffle is needed.
 */
final class HalfKernels {

    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class,
            jdk.incubator.vector.VectorShape.forBitSize(F.vectorBitSize() / 2));
    private static final int LANES = F.length();

    private HalfKernels() {
    }

    /** Fails fast (with a LinkageError) where the Vector API module is not present. */
    static int lanes() {
        return LANES;
    }

    /**
     * {@code Σ_i w[i]·x[i]} for the {@code 2·half} weights starting at byte {@code offset}, with
     * {@code xEven[k] = x[2k]} and {@code xOdd[k] = x[2k+1]}.
     */
    static float dot(ByteBuffer w, long offset, DType dtype, float[] xEven, float[] xOdd, int half) {
        FloatVector accEven = FloatVector.zero(F);
        FloatVector accOdd = FloatVector.zero(F);
        int k = 0;
        int bound = half - half % LANES;
        boolean bf16 = dtype == DType.BF16;
        for (; k < bound; k += LANES) {
            IntVector pair = IntVector.fromByteBuffer(I, w, (int) (offset + 4L * k), ByteOrder.LITTLE_ENDIAN);
            FloatVector even;
            FloatVector odd;
            if (bf16) {
                even = pair.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                odd = pair.and(0xFFFF0000).reinterpretAsFloats();
            } else {
                even = f16ToF32(pair.and(0xFFFF));
                odd = f16ToF32(pair.lanewise(VectorOperators.LSHR, 16));
            }
            accEven = even.fma(FloatVector.fromArray(F, xEven, k), accEven);
            accOdd = odd.fma(FloatVector.fromArray(F, xOdd, k), accOdd);
        }
        float sum = accEven.add(accOdd).reduceLanes(VectorOperators.ADD);
        for (; k < half; k++) {
            int pair = w.getInt((int) (offset + 4L * k));
            sum += widen(pair & 0xFFFF, dtype) * xEven[k] + widen(pair >>> 16, dtype) * xOdd[k];
        }
        return sum;
    }

    /** {@code Σ_i w[i]·x[i]} for the {@code n} float32 weights starting at byte {@code offset}. */
    static float dotF32(ByteBuffer w, long offset, float[] x, int n) {
        FloatVector acc0 = FloatVector.zero(F);
        FloatVector acc1 = FloatVector.zero(F);
        int i = 0;
        int bound = n - n % (2 * LANES);
        for (; i < bound; i += 2 * LANES) {
            acc0 = FloatVector.fromByteBuffer(F, w, (int) (offset + 4L * i), ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, i), acc0);
            acc1 = FloatVector.fromByteBuffer(F, w, (int) (offset + 4L * (i + LANES)), ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromArray(F, x, i + LANES), acc1);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += w.getFloat((int) (offset + 4L * i)) * x[i];
        }
        return sum;
    }

    /** Widens {@code count} 16-bit values from byte {@code from} of {@code src} into floats at byte {@code to} of {@code dst}. */
    static void widen(ByteBuffer src, long from, DType dtype, ByteBuffer dst, long to, long count) {
        long i = 0;
        long bound = count - count % LANES;
        boolean bf16 = dtype == DType.BF16;
        for (; i < bound; i += LANES) {
            IntVector h = (IntVector) ShortVector.fromByteBuffer(S, src, (int) (from + 2 * i), ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.S2I, I, 0);
            FloatVector f = bf16 ? h.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats() : f16ToF32(h.and(0xFFFF));
            f.intoByteBuffer(dst, (int) (to + 4 * i), ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < count; i++) {
            dst.putFloat((int) (to + 4 * i), widen(src.getShort((int) (from + 2 * i)) & 0xFFFF, dtype));
        }
    }

    /**
     * Rounds {@code count} float32 values (little-endian, from byte 0 of {@code src}) to bfloat16 at
     * byte 0 of {@code dst}: round to nearest, ties to even, as torch's {@code .to(torch.bfloat16)};
     * a NaN stays a (quiet) NaN instead of rounding into an infinity.
     */
    static void narrowToBf16(ByteBuffer src, ByteBuffer dst, long count) {
        long i = 0;
        long bound = count - count % LANES;
        for (; i < bound; i += LANES) {
            IntVector bits = IntVector.fromByteBuffer(I, src, (int) (4 * i), ByteOrder.LITTLE_ENDIAN);
            IntVector even = bits.lanewise(VectorOperators.LSHR, 16).and(1);
            IntVector rounded = bits.add(0x7FFF).add(even).lanewise(VectorOperators.LSHR, 16);
            VectorMask<Integer> nan = bits.and(0x7FFFFFFF).compare(VectorOperators.GT, 0x7F800000);
            rounded = rounded.blend(bits.lanewise(VectorOperators.LSHR, 16).or(0x40), nan);
            ((ShortVector) rounded.convertShape(VectorOperators.I2S, S, 0))
                    .intoByteBuffer(dst, (int) (2 * i), ByteOrder.LITTLE_ENDIAN);
        }
        for (; i < count; i++) {
            dst.putShort((int) (2 * i), narrowToBf16(src.getInt((int) (4 * i))));
        }
    }

    /** One float32 (its bits) rounded to bfloat16 bits, as {@link #narrowToBf16(ByteBuffer, ByteBuffer, long)}. */
    static short narrowToBf16(int bits) {
        return BFloat16.round(Float.intBitsToFloat(bits));
    }

    /** Whether any of {@code count} 16-bit values from byte {@code from} is NaN or infinite. */
    static boolean anyNonFinite(ByteBuffer src, long from, DType dtype, long count) {
        int exponent = dtype == DType.BF16 ? 0x7F807F80 : 0x7C007C00;
        int low = exponent & 0xFFFF;
        long pairs = count / 2;
        long k = 0;
        long bound = pairs - pairs % LANES;
        for (; k < bound; k += LANES) {
            IntVector pair = IntVector.fromByteBuffer(I, src, (int) (from + 4 * k), ByteOrder.LITTLE_ENDIAN);
            IntVector e = pair.and(exponent);
            VectorMask<Integer> lo = e.and(0xFFFF).compare(VectorOperators.EQ, low);
            VectorMask<Integer> hi = e.lanewise(VectorOperators.LSHR, 16).compare(VectorOperators.EQ, low);
            if (lo.or(hi).anyTrue()) {
                return true;
            }
        }
        for (long i = 2 * k; i < count; i++) {
            if ((src.getShort((int) (from + 2 * i)) & low) == low) {
                return true;
            }
        }
        return false;
    }

    /** Whether any of {@code count} float32 values from byte {@code from} is NaN or infinite. */
    static boolean anyNonFiniteF32(ByteBuffer src, long from, long count) {
        long i = 0;
        long bound = count - count % LANES;
        for (; i < bound; i += LANES) {
            IntVector bits = IntVector.fromByteBuffer(I, src, (int) (from + 4 * i), ByteOrder.LITTLE_ENDIAN);
            if (bits.and(0x7F800000).compare(VectorOperators.EQ, 0x7F800000).anyTrue()) {
                return true;
            }
        }
        for (; i < count; i++) {
            if ((src.getInt((int) (from + 4 * i)) & 0x7F800000) == 0x7F800000) {
                return true;
            }
        }
        return false;
    }

    /** F16 bits (in the low 16 bits of each lane) as float32 values. */
    private static FloatVector f16ToF32(IntVector h) {
        IntVector magnitude = h.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector finite = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> special = magnitude.compare(VectorOperators.GE, 0x7C00);
        IntVector bits = finite.blend(shifted.or(0x7F800000), special);
        return bits.or(h.and(0x8000).lanewise(VectorOperators.LSHL, 16)).reinterpretAsFloats();
    }

    /** One 16-bit value as a float, exactly. */
    static float widen(int bits, DType dtype) {
        if (dtype == DType.BF16) {
            return Float.intBitsToFloat(bits << 16);
        }
        int magnitude = bits & 0x7FFF;
        int shifted = magnitude << 13;
        int out = magnitude >= 0x7C00 ? shifted | 0x7F800000
                : Float.floatToRawIntBits(Float.intBitsToFloat(shifted) * 0x1p112f);
        return Float.intBitsToFloat(out | (bits & 0x8000) << 16);
    }
}
