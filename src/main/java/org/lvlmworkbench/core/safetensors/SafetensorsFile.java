package org.lvlmworkbench.core.safetensors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.safetensors.SafetensorsException.Rule;

/**
 * A validated, memory-mapped safetensors file. Opening reads and checks only the header; tensor
 * bytes are mapped on demand, one map per tensor, so files larger than 2 GiB work and nothing is
 * copied until a caller converts the data.
 *
 * <p>Maps are {@code MapMode.PRIVATE}: PyTorch may write into a tensor in place, and a read-only
 * map would then crash the JVM; a private map turns such writes into copy-on-write pages that never
 * reach the file, so the source checkpoint is never modified. Where the file cannot be opened for
 * writing (read-only permissions or file system), tensors are copied into direct buffers instead.
 */
public final class SafetensorsFile implements AutoCloseable {

    /** Same limit as the reference implementation, against hostile headers. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;

    private final Path path;
    private final FileChannel channel;
    private final boolean privateMapping;
    private final long dataStart;
    private final Map<String, TensorEntry> tensors;
    private final Map<String, String> metadata;

    private SafetensorsFile(Path path, FileChannel channel, boolean privateMapping, long dataStart,
            Map<String, TensorEntry> tensors, Map<String, String> metadata) {
        this.path = path;
        this.channel = channel;
        this.privateMapping = privateMapping;
        this.dataStart = dataStart;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    public static SafetensorsFile open(Path path) {
        return open(path, true);
    }

    /** {@code mapPrivately = false} forces the copying path that read-only files take. */
    static SafetensorsFile open(Path path, boolean mapPrivately) {
        FileChannel channel;
        boolean privateMapping = mapPrivately;
        try {
            if (!mapPrivately) {
                throw new IOException("private mapping not requested");
            }
            // The JDK only grants copy-on-write maps on channels opened for writing; nothing is written.
            channel = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (IOException | SecurityException e) {
            privateMapping = false;
            try {
                channel = FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException e2) {
                throw new SafetensorsException(path, null, Rule.FILE_UNREADABLE, e2.toString(), e2);
            }
        }
        try {
            long fileSize = channel.size();
            if (fileSize < 8) {
                throw new SafetensorsException(path, null, Rule.HEADER_TOO_SMALL, fileSize + " bytes");
            }
            ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(channel, lengthBytes, 0);
            long headerLength = lengthBytes.flip().getLong();
            if (headerLength < 0 || headerLength > MAX_HEADER_BYTES) {
                throw new SafetensorsException(path, null, Rule.HEADER_TOO_LARGE,
                        "header length " + Long.toUnsignedString(headerLength));
            }
            if (8 + headerLength > fileSize) {
                throw new SafetensorsException(path, null, Rule.HEADER_LENGTH_BEYOND_FILE,
                        "header length " + headerLength + ", file size " + fileSize);
            }
            ByteBuffer headerBytes = ByteBuffer.allocate((int) headerLength);
            readFully(channel, headerBytes, 8);
            String json = decodeUtf8(path, headerBytes.flip());
            Header header = parseHeader(path, json);
            long dataLength = fileSize - 8 - headerLength;
            validateLayout(path, header.tensors, dataLength);
            return new SafetensorsFile(path, channel, privateMapping, 8 + headerLength,
                    Collections.unmodifiableMap(header.tensors), Collections.unmodifiableMap(header.metadata));
        } catch (IOException e) {
            closeQuietly(channel);
            throw new SafetensorsException(path, null, Rule.FILE_UNREADABLE, e.toString(), e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** Tensors in header order. */
    public Map<String, TensorEntry> tensors() {
        return tensors;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    public TensorEntry entry(String name) {
        TensorEntry e = tensors.get(name);
        if (e == null) {
            throw new SafetensorsException(path, name, Rule.TENSOR_NOT_FOUND, null);
        }
        return e;
    }

    /** The tensor's bytes, little-endian, copy-on-write mapped from the file. */
    /**
     * The tensor's bytes as a read-only mapping, for code that only reads them (the Java kernels):
     * works on read-only files too, never copies, and shares the page cache with every other mapping.
     */
    public ByteBuffer readOnlyBytes(String name) {
        TensorEntry e = entry(name);
        if (e.byteLength() > Integer.MAX_VALUE) {
            throw new SafetensorsException(path, name, Rule.TENSOR_TOO_LARGE, e.byteLength() + " bytes");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, dataStart + e.begin(), e.byteLength())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new SafetensorsException(path, name, Rule.FILE_UNREADABLE, ex.toString(), ex);
        }
    }

    public ByteBuffer bytes(String name) {
        TensorEntry e = entry(name);
        if (e.byteLength() > Integer.MAX_VALUE) {
            throw new SafetensorsException(path, name, Rule.TENSOR_TOO_LARGE, e.byteLength() + " bytes");
        }
        try {
            if (!privateMapping) {
                // A read-only file: a read-only map would crash the JVM on an in-place op, so copy.
                ByteBuffer copy = ByteBuffer.allocateDirect((int) e.byteLength());
                readFully(channel, copy, dataStart + e.begin());
                return copy.flip().order(ByteOrder.LITTLE_ENDIAN);
            }
            return channel.map(FileChannel.MapMode.PRIVATE, dataStart + e.begin(), e.byteLength())
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (IOException ex) {
            throw new SafetensorsException(path, name, Rule.FILE_UNREADABLE, ex.toString(), ex);
        }
    }

    /**
     * The tensor as an NDArray in its stored type, backed by the mapped bytes without a copy (the
     * engine wraps the direct buffer). BF16 is the exception: it is widened to F32 in Java, because
     * the engine cannot hold bfloat16 (see {@link BFloat16}).
     */
    public NDArray toNDArray(String name, NDManager manager) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new UnsupportedOperationException("big-endian hosts are not supported");
        }
        TensorEntry e = entry(name);
        ByteBuffer buf = bytes(name);
        NDArray array = e.dtype() == DType.BF16
                ? manager.create(BFloat16.toFloat32(buf), new Shape(e.shape()), DType.F32.djlType())
                : manager.create(buf.order(ByteOrder.nativeOrder()), new Shape(e.shape()), e.dtype().djlType());
        array.setName(name);
        return array;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    // ---- validation ----

    private record Header(LinkedHashMap<String, TensorEntry> tensors, LinkedHashMap<String, String> metadata) {
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new IOException("unexpected end of file");
            }
            pos += n;
        }
    }

    private static String decodeUtf8(Path path, ByteBuffer bytes) {
        try {
            CharBuffer chars = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw new SafetensorsException(path, null, Rule.HEADER_NOT_UTF8, e.getMessage(), e);
        }
    }

    private static Header parseHeader(Path path, String json) {
        LinkedHashMap<String, TensorEntry> tensors = new LinkedHashMap<>();
        LinkedHashMap<String, String> metadata = new LinkedHashMap<>();
        boolean sawMetadata = false;
        try (JsonReader reader = new JsonReader(new StringReader(json))) {
            reader.setStrictness(Strictness.STRICT);
            if (reader.peek() != JsonToken.BEGIN_OBJECT) {
                throw new SafetensorsException(path, null, Rule.HEADER_NOT_JSON, "header does not start with '{'");
            }
            reader.beginObject();
            while (reader.hasNext()) {
                String key = reader.nextName();
                if (key.equals("__metadata__")) {
                    if (sawMetadata) {
                        throw new SafetensorsException(path, key, Rule.DUPLICATE_TENSOR, null);
                    }
                    sawMetadata = true;
                    readMetadata(path, reader, metadata);
                } else {
                    if (tensors.containsKey(key)) {
                        throw new SafetensorsException(path, key, Rule.DUPLICATE_TENSOR, null);
                    }
                    tensors.put(key, readEntry(path, key, reader));
                }
            }
            reader.endObject();
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new SafetensorsException(path, null, Rule.HEADER_NOT_JSON, "content after the JSON object");
            }
        } catch (SafetensorsException e) {
            throw e;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            throw new SafetensorsException(path, null, Rule.HEADER_NOT_JSON, e.getMessage(), e);
        }
        return new Header(tensors, metadata);
    }

    private static void readMetadata(Path path, JsonReader reader, Map<String, String> out) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new SafetensorsException(path, null, Rule.BAD_METADATA, "found " + reader.peek());
        }
        reader.beginObject();
        while (reader.hasNext()) {
            String k = reader.nextName();
            if (reader.peek() != JsonToken.STRING) {
                throw new SafetensorsException(path, null, Rule.BAD_METADATA, "value of '" + k + "' is " + reader.peek());
            }
            out.put(k, reader.nextString());
        }
        reader.endObject();
    }

    private static TensorEntry readEntry(Path path, String name, JsonReader reader) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_OBJECT) {
            throw new SafetensorsException(path, name, Rule.MISSING_FIELD, "entry is not an object");
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        reader.beginObject();
        while (reader.hasNext()) {
            String field = reader.nextName();
            switch (field) {
                case "dtype" -> {
                    if (reader.peek() != JsonToken.STRING) {
                        throw new SafetensorsException(path, name, Rule.UNKNOWN_DTYPE, "dtype is " + reader.peek());
                    }
                    dtypeName = reader.nextString();
                }
                case "shape" -> shape = readLongs(path, name, reader, Rule.BAD_SHAPE);
                case "data_offsets" -> offsets = readLongs(path, name, reader, Rule.BAD_OFFSETS);
                default -> reader.skipValue();
            }
        }
        reader.endObject();
        if (dtypeName == null) {
            throw new SafetensorsException(path, name, Rule.MISSING_FIELD, "dtype");
        }
        if (shape == null) {
            throw new SafetensorsException(path, name, Rule.MISSING_FIELD, "shape");
        }
        if (offsets == null) {
            throw new SafetensorsException(path, name, Rule.MISSING_FIELD, "data_offsets");
        }
        DType dtype = DType.fromName(dtypeName);
        if (dtype == null) {
            throw new SafetensorsException(path, name, Rule.UNKNOWN_DTYPE, "'" + dtypeName + "'");
        }
        if (offsets.length != 2 || offsets[0] > offsets[1]) {
            throw new SafetensorsException(path, name, Rule.BAD_OFFSETS, java.util.Arrays.toString(offsets));
        }
        long bytes = dtype.byteSize();
        for (long d : shape) {
            try {
                bytes = Math.multiplyExact(bytes, d);
            } catch (ArithmeticException e) {
                throw new SafetensorsException(path, name, Rule.SIZE_OVERFLOW, java.util.Arrays.toString(shape));
            }
        }
        if (bytes != offsets[1] - offsets[0]) {
            throw new SafetensorsException(path, name, Rule.SIZE_MISMATCH,
                    dtype + java.util.Arrays.toString(shape) + " needs " + bytes + " bytes, span has "
                            + (offsets[1] - offsets[0]));
        }
        return new TensorEntry(name, dtype, shape, offsets[0], offsets[1]);
    }

    private static long[] readLongs(Path path, String name, JsonReader reader, Rule rule) throws IOException {
        if (reader.peek() != JsonToken.BEGIN_ARRAY) {
            throw new SafetensorsException(path, name, rule, "found " + reader.peek());
        }
        List<Long> values = new ArrayList<>();
        reader.beginArray();
        while (reader.hasNext()) {
            if (reader.peek() != JsonToken.NUMBER) {
                throw new SafetensorsException(path, name, rule, "element is " + reader.peek());
            }
            String text = reader.nextString();
            long v;
            try {
                v = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new SafetensorsException(path, name, rule, "'" + text + "' is not a non-negative integer");
            }
            if (v < 0) {
                throw new SafetensorsException(path, name, rule, "negative value " + v);
            }
            values.add(v);
        }
        reader.endArray();
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private static void validateLayout(Path path, Map<String, TensorEntry> tensors, long dataLength) {
        List<TensorEntry> sorted = new ArrayList<>(tensors.values());
        sorted.sort(Comparator.comparingLong(TensorEntry::begin).thenComparingLong(TensorEntry::end));
        long expected = 0;
        for (TensorEntry e : sorted) {
            if (e.end() > dataLength) {
                throw new SafetensorsException(path, e.name(), Rule.OUTSIDE_FILE,
                        "span [" + e.begin() + ", " + e.end() + ") but data section has " + dataLength + " bytes");
            }
            if (e.begin() != expected) {
                throw new SafetensorsException(path, e.name(), Rule.NOT_CONTIGUOUS,
                        "starts at " + e.begin() + ", expected " + expected);
            }
            expected = e.end();
        }
        if (expected != dataLength) {
            throw new SafetensorsException(path, null, Rule.TRAILING_BYTES,
                    (dataLength - expected) + " bytes after offset " + expected);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // Nothing was written through this channel, so a failed close loses nothing.
        }
    }
}
