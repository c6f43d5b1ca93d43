package org.lvlmworkbench.core.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * bfloat16 conversions done in Java. DJL 0.35.1's PyTorch engine aborts the whole process when it
 * creates or casts to a bfloat16 tensor, so BF16 never reaches the engine: it is widened to F32 on
 * read (exact: bf16 is the top half of an f32) and rounded to nearest-even on write, as PyTorch does.
 */
public final class BFloat16 {

    private BFloat16() {
    }

    /** Little-endian bf16 bytes to a native-order direct buffer of f32. */
    public static ByteBuffer toFloat32(ByteBuffer bf16) {
        ByteBuffer src = bf16.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int n = src.remaining() / 2;
        ByteBuffer out = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < n; i++) {
            out.putInt((src.getShort() & 0xffff) << 16);
        }
        return out.flip();
    }

    /** f32 bytes (in {@code f32}'s order) to little-endian bf16 bytes. */
    public static ByteBuffer fromFloat32(ByteBuffer f32) {
        ByteBuffer src = f32.duplicate().order(f32.order());
        int n = src.remaining() / 4;
        ByteBuffer out = ByteBuffer.allocate(n * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            out.putShort(round(src.getFloat()));
        }
        return out.flip();
    }

    public static short round(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int lsb = (bits >>> 16) & 1;
        return (short) ((bits + 0x7fff + lsb) >>> 16);
    }

    public static float widen(short bf16) {
        return Float.intBitsToFloat((bf16 & 0xffff) << 16);
    }
}
