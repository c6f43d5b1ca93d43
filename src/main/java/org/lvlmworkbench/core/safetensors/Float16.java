package org.lvlmworkbench.core.safetensors;

/** IEEE binary16 conversions done in Java (Java 17 has no {@code Float.floatToFloat16}). */
public final class Float16 {

    private Float16() {
    }

    /** IEEE binary16 bits of {@code f}, rounded to nearest even as PyTorch's {@code .half()} does. */
    public static short round(float f) {
        int x = Float.floatToRawIntBits(f);
        int sign = (x >>> 16) & 0x8000;
        int abs = x & 0x7FFFFFFF;
        if (abs > 0x7F800000) {
            return (short) (sign | 0x7E00);
        }
        if (abs >= 0x477FF000) {
            return (short) (sign | 0x7C00);
        }
        if (abs >= 0x38800000) {
            int rounded = abs + 0xFFF + ((abs >>> 13) & 1);
            return (short) (sign | ((rounded - 0x38000000) >>> 13));
        }
        if (abs <= 0x33000000) {
            return (short) sign;
        }
        int e = abs >>> 23;
        int m = (abs & 0x7FFFFF) | 0x800000;
        int shift = 126 - e;
        int half = m >>> shift;
        int rem = m & ((1 << shift) - 1);
        int mid = 1 << (shift - 1);
        if (rem > mid || (rem == mid && (half & 1) == 1)) {
            half++;
        }
        return (short) (sign | half);
    }

    /** The float {@code bits} (binary16) stands for, exactly. */
    public static float widen(short bits) {
        int h = bits & 0xFFFF;
        int magnitude = h & 0x7FFF;
        int shifted = magnitude << 13;
        int out = magnitude >= 0x7C00 ? shifted | 0x7F800000
                : Float.floatToRawIntBits(Float.intBitsToFloat(shifted) * 0x1p112f);
        return Float.intBitsToFloat(out | (h & 0x8000) << 16);
    }
}
