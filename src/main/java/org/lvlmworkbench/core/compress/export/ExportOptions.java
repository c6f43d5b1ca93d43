package org.lvlmworkbench.core.compress.export;

import java.util.Locale;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * How a compressed model is written.
 *
 * @param dtype      storage type of every floating-point tensor: {@link DType#BF16}, {@link DType#F16} or
 *                   {@link DType#F32} (integer tensors keep theirs)
 * @param dense      multiply each low-rank pair back into one matrix (no size saving; standard layers)
 * @param force      replace an existing export folder at the target (only once the new one is complete)
 * @param shardBytes above this many bytes of weights, shards plus {@code model.safetensors.index.json}
 */
public record ExportOptions(DType dtype, boolean dense, boolean force, long shardBytes) {

    /** transformers' own shard size is a few GB; 2 GB keeps every shard under the 2 GiB a Java mapping can address. */
    public static final long DEFAULT_SHARD_BYTES = 2_000_000_000L;

    public static final ExportOptions DEFAULTS = new ExportOptions(DType.BF16, false, false, DEFAULT_SHARD_BYTES);

    public ExportOptions {
        if (dtype != DType.BF16 && dtype != DType.F16 && dtype != DType.F32) {
            throw new IllegalArgumentException("the export dtype must be bf16, f16 or f32, not " + dtype);
        }
        if (shardBytes < 1) {
            throw new IllegalArgumentException("the shard size must be positive, found " + shardBytes);
        }
    }

    /** {@code bf16}, {@code f16} or {@code f32} (as the CLI spells them) to the storage type. */
    public static DType parseDtype(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "bf16", "bfloat16" -> DType.BF16;
            case "f16", "fp16", "float16" -> DType.F16;
            case "f32", "fp32", "float32" -> DType.F32;
            default -> throw new IllegalArgumentException("--dtype must be bf16, f16 or f32, not '" + name + "'");
        };
    }

    /** The name transformers gives the type in config.json ({@code "bfloat16"}, {@code "float16"}, {@code "float32"}). */
    public String torchDtype() {
        return switch (dtype) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> "float32";
        };
    }

    public ExportOptions withDtype(DType d) {
        return new ExportOptions(d, dense, force, shardBytes);
    }

    public ExportOptions withDense(boolean d) {
        return new ExportOptions(dtype, d, force, shardBytes);
    }

    public ExportOptions withForce(boolean f) {
        return new ExportOptions(dtype, dense, f, shardBytes);
    }

    public ExportOptions withShardBytes(long bytes) {
        return new ExportOptions(dtype, dense, force, bytes);
    }
}
