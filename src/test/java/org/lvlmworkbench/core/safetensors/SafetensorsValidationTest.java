package org.lvlmworkbench.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.safetensors.SafetensorsException.Rule;

/** One corrupt file per rule the reader enforces; each must fail naming the file and the rule. */
class SafetensorsValidationTest {

    @TempDir
    Path dir;

    private Path file(String headerJson, int dataBytes) throws IOException {
        return raw(headerJson.getBytes(StandardCharsets.UTF_8), headerJson.getBytes(StandardCharsets.UTF_8).length,
                dataBytes);
    }

    private Path raw(byte[] header, long declaredLength, int dataBytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredLength).put(header);
        Path p = Files.createTempFile(dir, "t", ".safetensors");
        Files.write(p, b.array());
        return p;
    }

    private void expect(Rule rule, Path p, String tensor) {
        SafetensorsException e = assertThrows(SafetensorsException.class, () -> SafetensorsFile.open(p).close());
        assertEquals(rule, e.rule(), e.getMessage());
        assertEquals(p, e.file());
        assertEquals(tensor, e.tensor());
        assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }

    @Test
    void shorterThanTheLengthPrefix() throws IOException {
        Path p = dir.resolve("short.safetensors");
        Files.write(p, new byte[] {1, 2, 3});
        expect(Rule.HEADER_TOO_SMALL, p, null);
    }

    @Test
    void headerLengthOver100Mb() throws IOException {
        expect(Rule.HEADER_TOO_LARGE, raw("{}".getBytes(StandardCharsets.UTF_8), 200_000_000L, 0), null);
    }

    @Test
    void headerLengthBeyondFile() throws IOException {
        expect(Rule.HEADER_LENGTH_BEYOND_FILE, raw("{}".getBytes(StandardCharsets.UTF_8), 500, 0), null);
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] bad = {'{', '"', (byte) 0xff, (byte) 0xfe, '"', ':', '1', '}'};
        expect(Rule.HEADER_NOT_UTF8, raw(bad, bad.length, 0), null);
    }

    @Test
    void headerNotJsonObject() throws IOException {
        expect(Rule.HEADER_NOT_JSON, file("[1, 2]  ", 0), null);
        expect(Rule.HEADER_NOT_JSON, file("{\"a\": {\"dtype\": \"F32\"", 0), null);
    }

    @Test
    void duplicateTensorName() throws IOException {
        String e = "{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}";
        expect(Rule.DUPLICATE_TENSOR, file("{\"w\":" + e + ",\"w\":" + e + "}", 4), "w");
    }

    @Test
    void metadataMustMapStringsToStrings() throws IOException {
        expect(Rule.BAD_METADATA, file("{\"__metadata__\":{\"format\":3}}", 0), null);
    }

    @Test
    void missingField() throws IOException {
        expect(Rule.MISSING_FIELD, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "w");
    }

    @Test
    void unknownDtype() throws IOException {
        expect(Rule.UNKNOWN_DTYPE, file("{\"w\":{\"dtype\":\"F12\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "w");
    }

    @Test
    void negativeOrFractionalShape() throws IOException {
        expect(Rule.BAD_SHAPE, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "w");
        expect(Rule.BAD_SHAPE, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4), "w");
    }

    @Test
    void offsetsReversed() throws IOException {
        expect(Rule.BAD_OFFSETS, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[4,0]}}", 4), "w");
    }

    @Test
    void shapeSizeOverflows() throws IOException {
        String big = "9223372036854775807";
        expect(Rule.SIZE_OVERFLOW, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[" + big + ",2],\"data_offsets\":[0,4]}}",
                4), "w");
    }

    @Test
    void shapeDisagreesWithSpan() throws IOException {
        expect(Rule.SIZE_MISMATCH, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", 4), "w");
    }

    @Test
    void spansMustBeContiguous() throws IOException {
        String h = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        expect(Rule.NOT_CONTIGUOUS, file(h, 12), "b");
        String overlap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        expect(Rule.NOT_CONTIGUOUS, file(overlap, 8), "b");
    }

    @Test
    void spanOutsideFile() throws IOException {
        expect(Rule.OUTSIDE_FILE, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8), "w");
    }

    @Test
    void trailingBytes() throws IOException {
        expect(Rule.TRAILING_BYTES, file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12), null);
    }

    @Test
    void writerRoundTripsEveryWritableTypeAndKeepsMetadata() {
        Path p = dir.resolve("ok.safetensors");
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            NDArray a = m.create(new float[] {1.5f, -2.25f, 3f, 0.1f}, new ai.djl.ndarray.types.Shape(2, 2));
            new SafetensorsWriter().metadata("note", "x")
                    .add("f32", a, DType.F32).add("f16", a, DType.F16).add("bf16", a, DType.BF16)
                    .add("i64", m.create(new long[] {7, -8}), DType.I64)
                    .write(p);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                assertEquals("pt", f.metadata().get("format"));
                assertEquals("x", f.metadata().get("note"));
                assertEquals(DType.BF16, f.entry("bf16").dtype());
                assertArrayEquals(new long[] {2, 2}, f.entry("f16").shape());
                assertArrayEquals(a.toFloatArray(), f.toNDArray("f32", m).toFloatArray(), 0f);
                assertArrayEquals(new float[] {1.5f, -2.25f, 3f, 0.1f},
                        f.toNDArray("f16", m).toType(ai.djl.ndarray.types.DataType.FLOAT32, false).toFloatArray(), 1e-3f);
                assertArrayEquals(new float[] {1.5f, -2.25f, 3f, 0.10009765625f}, f.toNDArray("bf16", m).toFloatArray(), 0f);
                assertArrayEquals(new long[] {7, -8}, f.toNDArray("i64", m).toLongArray());
            }
            long headerLength = ByteBuffer.wrap(readBytes(p), 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            assertEquals(0, headerLength % 8, "header padded to 8 bytes");
        }
    }

    @Test
    void inPlaceWriteToMappedTensorNeverReachesTheFile() throws IOException {
        Path p = dir.resolve("cow.safetensors");
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            new SafetensorsWriter().add("w", m.create(new float[] {1, 2, 3}), DType.F32).write(p);
            byte[] before = readBytes(p);
            try (SafetensorsFile f = SafetensorsFile.open(p)) {
                NDArray w = f.toNDArray("w", m);
                w.addi(10f);
                assertArrayEquals(new float[] {11, 12, 13}, w.toFloatArray(), 0f);
            }
            assertArrayEquals(before, readBytes(p), "the source file must not change");
        }
    }

    @Test
    void readOnlyFileIsCopiedNotMapped() throws IOException {
        Path p = dir.resolve("ro.safetensors");
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            new SafetensorsWriter().add("w", m.create(new float[] {1, 2}), DType.F32).write(p);
            byte[] before = readBytes(p);
            try (SafetensorsFile f = SafetensorsFile.open(p, false)) {
                NDArray w = f.toNDArray("w", m);
                w.muli(2f);
                assertArrayEquals(new float[] {2, 4}, w.toFloatArray(), 0f);
            }
            assertArrayEquals(before, readBytes(p));
        }
    }

    private static byte[] readBytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
