package org.lvlmworkbench.core.safetensors;

import ai.djl.ndarray.types.DataType;

/** Element types of the safetensors format, with their size and the matching DJL type. */
public enum DType {
    F64(8, DataType.FLOAT64, true),
    F32(4, DataType.FLOAT32, true),
    F16(2, DataType.FLOAT16, true),
    BF16(2, DataType.BFLOAT16, true),
    I64(8, DataType.INT64, false),
    I32(4, DataType.INT32, false),
    I16(2, DataType.INT16, false),
    I8(1, DataType.INT8, false),
    U8(1, DataType.UINT8, false),
    BOOL(1, DataType.BOOLEAN, false);

    private final int byteSize;
    private final DataType djlType;
    private final boolean floatingPoint;

    DType(int byteSize, DataType djlType, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.djlType = djlType;
        this.floatingPoint = floatingPoint;
    }

    public int byteSize() {
        return byteSize;
    }

    public DataType djlType() {
        return djlType;
    }

    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** The safetensors name of this type, or null when the name is not one we know. */
    public static DType fromName(String name) {
        for (DType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }

    public static DType fromDjl(DataType type) {
        for (DType t : values()) {
            if (t.djlType == type) {
                return t;
            }
        }
        throw new IllegalArgumentException("No safetensors dtype for DJL type " + type);
    }

    /** Types the writer produces; the rest are read-only because nothing here creates them. */
    public boolean isWritable() {
        return this == F32 || this == F16 || this == BF16 || this == I64 || this == I32;
    }
}
