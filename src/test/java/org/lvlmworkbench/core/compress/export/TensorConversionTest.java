package org.lvlmworkbench.core.compress.export;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.safetensors.BFloat16;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.Float16;

/** The dtype conversions of an export: widening is exact, narrowing rounds to nearest even. */
class TensorConversionTest {

    private static final float[] VALUES = {0f, -0f, 1f, -2.5f, 1e-3f, 3.14159f, 65504f, 7e-8f, 1e-30f, 1e5f,
        Float.POSITIVE_INFINITY};

    @Test
    void float16RoundsAndWidensExactly() {
        assertEquals(0x3C00, Float16.round(1f) & 0xFFFF);
        assertEquals(0x7BFF, Float16.round(65504f) & 0xFFFF);
        assertEquals(0x7C00, Float16.round(1e5f) & 0xFFFF, "overflow is infinity");
        assertEquals(0x0001, Float16.round(6e-8f) & 0xFFFF, "the smallest subnormal");
        assertEquals(1f + 1f / 1024, Float16.widen(Float16.round(1f + 1f / 1024)));
        assertEquals(1f, Float16.widen(Float16.round(1f + 1f / 2048)), "a tie goes to the even neighbour");
        assertEquals(Float.NaN, Float16.widen(Float16.round(Float.NaN)));
        for (int bits = 0; bits < 0x7C00; bits++) {
            float f = Float16.widen((short) bits);
            assertEquals(bits, Float16.round(f) & 0xFFFF, "every finite half survives a round trip: " + bits);
        }
    }

    @Test
    void convertWidensExactlyAndNarrowsByRounding() {
        ByteBuffer f32 = ModelExporter.encode(VALUES, DType.F32);
        assertEquals(f32, ModelExporter.convert(f32, DType.F32, DType.F32), "same type: the same bytes");
        ByteBuffer bf16 = ModelExporter.convert(f32, DType.F32, DType.BF16);
        ByteBuffer half = ModelExporter.convert(f32, DType.F32, DType.F16);
        ByteBuffer bfBack = ModelExporter.convert(bf16, DType.BF16, DType.F32).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer halfBack = ModelExporter.convert(half, DType.F16, DType.F32).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < VALUES.length; i++) {
            assertEquals(BFloat16.widen(BFloat16.round(VALUES[i])), bfBack.getFloat(4 * i), "bf16 of " + VALUES[i]);
            assertEquals(Float16.widen(Float16.round(VALUES[i])), halfBack.getFloat(4 * i), "f16 of " + VALUES[i]);
        }
        assertEquals(ModelExporter.convert(ModelExporter.convert(bf16, DType.BF16, DType.F32), DType.F32, DType.F16),
                ModelExporter.convert(bf16, DType.BF16, DType.F16), "bf16 to f16 directly equals bf16 to f32 to f16");
    }
}
