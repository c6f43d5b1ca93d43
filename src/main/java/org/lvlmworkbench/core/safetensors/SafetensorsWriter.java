package org.lvlmworkbench.core.safetensors;

import ai.djl.ndarray.NDArray;
import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.lvlmworkbench.core.safetensors.SafetensorsException.Rule;

/**
 * Writes safetensors files. Tensors are produced one at a time while writing, so a model never has
 * to sit in memory twice. The file appears atomically: it is written beside its target and moved
 * into place only when complete.
 */
public final class SafetensorsWriter {

    /** A tensor to write; its bytes are asked for only when its turn comes. */
    public record PendingTensor(String name, DType dtype, long[] shape, Supplier<ByteBuffer> bytes) {

        public long byteLength() {
            long n = dtype.byteSize();
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }
    }

    private final List<PendingTensor> tensors = new ArrayList<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    public SafetensorsWriter() {
        metadata.put("format", "pt");
    }

    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(key, value);
        return this;
    }

    public SafetensorsWriter add(PendingTensor tensor) {
        tensors.add(tensor);
        return this;
    }

    /** Adds an NDArray, converted to {@code dtype} when it is written. */
    public SafetensorsWriter add(String name, NDArray array, DType dtype) {
        long[] shape = array.getShape().getShape();
        return add(new PendingTensor(name, dtype, shape, () -> {
            if (dtype == DType.BF16) {
                NDArray f32 = array.toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                ByteBuffer b = BFloat16.fromFloat32(f32.toByteBuffer());
                if (f32 != array) {
                    f32.close();
                }
                return b;
            }
            NDArray typed = array.getDataType() == dtype.djlType() ? array : array.toType(dtype.djlType(), false);
            ByteBuffer b = typed.toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            if (typed != array) {
                typed.close();
            }
            return b;
        }));
    }

    public SafetensorsWriter add(String name, DType dtype, long[] shape, ByteBuffer bytes) {
        ByteBuffer copy = bytes.duplicate();
        return add(new PendingTensor(name, dtype, shape.clone(), () -> copy.duplicate()));
    }

    public List<PendingTensor> tensors() {
        return List.copyOf(tensors);
    }

    /** Total bytes of tensor data this writer will produce. */
    public long dataBytes() {
        long n = 0;
        for (PendingTensor t : tensors) {
            n += t.byteLength();
        }
        return n;
    }

    public void write(Path target) {
        Path tmp = target.resolveSibling(target.getFileName() + ".partial");
        try {
            byte[] header = headerBytes(target);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).flip();
                writeFully(ch, len);
                writeFully(ch, ByteBuffer.wrap(header));
                for (PendingTensor t : tensors) {
                    ByteBuffer data = t.bytes().get();
                    if (data.remaining() != t.byteLength()) {
                        throw new SafetensorsException(target, t.name(), Rule.SIZE_MISMATCH,
                                "supplied " + data.remaining() + " bytes, shape needs " + t.byteLength());
                    }
                    writeFully(ch, data);
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new SafetensorsException(target, null, Rule.FILE_UNREADABLE, "write failed: " + e, e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw e;
        }
    }

    private byte[] headerBytes(Path target) {
        JsonObject root = new JsonObject();
        JsonObject meta = new JsonObject();
        metadata.forEach(meta::addProperty);
        root.add("__metadata__", meta);
        long offset = 0;
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (PendingTensor t : tensors) {
            if (!seen.add(t.name())) {
                throw new SafetensorsException(target, t.name(), Rule.DUPLICATE_TENSOR, null);
            }
            if (!t.dtype().isWritable()) {
                throw new SafetensorsException(target, t.name(), Rule.UNSUPPORTED_WRITE, "dtype " + t.dtype());
            }
            JsonObject e = new JsonObject();
            e.addProperty("dtype", t.dtype().name());
            JsonArray shape = new JsonArray();
            for (long d : t.shape()) {
                shape.add(d);
            }
            e.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += t.byteLength();
            offsets.add(offset);
            e.add("data_offsets", offsets);
            root.add(t.name(), e);
        }
        byte[] json = new Gson().toJson(root).getBytes(StandardCharsets.UTF_8);
        // Pad with spaces so tensor data starts 8-byte aligned, as the reference writer does.
        int padded = (json.length + 7) / 8 * 8;
        byte[] out = new byte[padded];
        System.arraycopy(json, 0, out, 0, json.length);
        for (int i = json.length; i < padded; i++) {
            out[i] = ' ';
        }
        return out;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // The partial file is named *.partial, so a leftover can never be mistaken for a model.
        }
    }
}
