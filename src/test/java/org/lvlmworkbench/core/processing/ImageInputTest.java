package org.lvlmworkbench.core.processing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.lvlmworkbench.core.config.JsonFields;

/**
 * Image input: {@link RgbImage#read} against Pillow's {@code Image.open(f).convert("RGB")} bytes,
 * made by {@code src/test/python/image_fixtures.py} into {@code src/test/resources/images/}, and
 * clear refusals for huge, degenerate, corrupt and non-image files.
 */
class ImageInputTest {

    @TempDir
    Path tmp;

    private static Path imagesDir() {
        try {
            return Path.of(ImageInputTest.class.getResource("/images/manifest.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Stream<Arguments> pillowFixtures() throws IOException {
        JsonObject manifest = JsonParser.parseString(Files.readString(imagesDir().resolve("manifest.json"))).getAsJsonObject();
        List<Arguments> out = new ArrayList<>();
        for (JsonElement e : manifest.getAsJsonArray("images")) {
            JsonObject o = e.getAsJsonObject();
            out.add(Arguments.of(o.get("file").getAsString(), o.get("mode").getAsString(),
                    o.get("width").getAsInt(), o.get("height").getAsInt()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} (Pillow mode {1})")
    @MethodSource("pillowFixtures")
    void readMatchesPillowConvertRgbByteForByte(String file, String pillowMode, int width, int height) throws IOException {
        Path dir = imagesDir();
        int dot = file.lastIndexOf('.');
        byte[] expected = Files.readAllBytes(dir.resolve(file.substring(0, dot) + "_" + file.substring(dot + 1) + ".rgb"));
        RgbImage img = RgbImage.read(dir.resolve(file));
        assertEquals(width, img.width(), file + " width");
        assertEquals(height, img.height(), file + " height");
        assertEquals(expected.length, img.rgb().length, file + " buffer length");
        if (!Arrays.equals(expected, img.rgb())) {
            for (int i = 0; i < expected.length; i++) {
                if (expected[i] != img.rgb()[i]) {
                    int p = i / 3;
                    fail(file + " (Pillow mode " + pillowMode + "): pixel (" + p % width + "," + p / width + ") channel "
                            + i % 3 + " is " + (img.rgb()[i] & 0xff) + ", Pillow gives " + (expected[i] & 0xff));
                }
            }
        }
    }

    @Test
    void fixturesCoverEveryImageKind() throws IOException {
        Set<String> files = new TreeSet<>();
        Set<String> modes = new TreeSet<>();
        pillowFixtures().forEach(a -> {
            files.add((String) a.get()[0]);
            modes.add((String) a.get()[1]);
        });
        assertTrue(modes.containsAll(Set.of("1", "L", "LA", "P", "RGB", "RGBA", "I;16", "CMYK")), modes.toString());
        assertTrue(files.containsAll(Set.of("gray8.png", "gray_alpha.png", "palette.png", "palette_trns.png", "rgb.png",
                "rgba.png", "gray16.png", "rgb16.png", "cmyk.jpg", "ycck.jpg", "rgb_linear_icc.jpg")), files.toString());
    }

    @Test
    void eightBitGrayIsNotBrightened() throws IOException {
        // The reported bug: an 'L' pixel of 50 came back as 122 through getRGB's linear-gray colour space.
        Path file = tmp.resolve("gray50.png");
        Files.write(file, png(3, 2, 8, 0, y -> new byte[] {50, 50, 50}));
        RgbImage img = RgbImage.read(file);
        for (byte b : img.rgb()) {
            assertEquals(50, b & 0xff);
        }
    }

    @Test
    void aHugeHeaderIsRefusedBeforeAnyPixelIsAllocated() throws IOException {
        // The IHDR claims 25000x25000 RGB (1.9 GB decoded); the body is a few bytes of a truncated IDAT.
        Path file = tmp.resolve("huge.png");
        byte[] full = png(25000, 25000, 8, 2, y -> new byte[25000 * 3], 2);
        Files.write(file, Arrays.copyOf(full, 200));
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        long start = System.nanoTime();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RgbImage.read(file));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        long millis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("25000x25000"), e.getMessage());
        assertTrue(e.getMessage().contains("limit") && e.getMessage().contains(ImageLimits.MAX_PIXELS_PROPERTY), e.getMessage());
        assertTrue(allocated < 32L << 20, "allocated " + allocated + " bytes before refusing");
        assertTrue(millis < 1000, "took " + millis + " ms");
    }

    @Test
    void thePixelBudgetCanBeOverridden() throws IOException {
        Path file = imagesDir().resolve("rgb.png"); // 7x5
        String old = System.getProperty(ImageLimits.MAX_PIXELS_PROPERTY);
        try {
            System.setProperty(ImageLimits.MAX_PIXELS_PROPERTY, "34");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RgbImage.read(file));
            assertTrue(e.getMessage().contains("7x5") && e.getMessage().contains("34 pixels"), e.getMessage());
            System.setProperty(ImageLimits.MAX_PIXELS_PROPERTY, "35");
            assertEquals(7, RgbImage.read(file).width());
            System.setProperty(ImageLimits.MAX_PIXELS_PROPERTY, "lots");
            e = assertThrows(IllegalArgumentException.class, () -> RgbImage.read(file));
            assertTrue(e.getMessage().contains(ImageLimits.MAX_PIXELS_PROPERTY), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(ImageLimits.MAX_PIXELS_PROPERTY);
            } else {
                System.setProperty(ImageLimits.MAX_PIXELS_PROPERTY, old);
            }
        }
    }

    @Test
    void aOneByMillionStripIsReadThenItsResizeRefusedWithoutOverflow() throws IOException {
        Path file = tmp.resolve("strip.png");
        Files.write(file, png(1, 1_000_000, 8, 0, y -> new byte[] {(byte) y}));
        RgbImage strip = RgbImage.read(file);
        assertEquals(1, strip.width());
        assertEquals(1_000_000, strip.height());
        assertEquals(999_999 & 0xff, strip.get(0, 999_999, 1));

        // transformers' get_resize_output_image_size gives (336000000, 336) for this image: 113 gigapixels.
        ClipImageProcessor llava = processor("{\"size\":{\"shortest_edge\":336},\"crop_size\":{\"height\":336,\"width\":336}}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> llava.preprocess(strip));
        assertTrue(e.getMessage().contains("1x1000000") && e.getMessage().contains("336x336000000"), e.getMessage());
        assertTrue(e.getMessage().contains("limit"), e.getMessage());

        // Far past int range: shortest edge 336 of a 1x2147483647 strip is 721554505392 pixels long.
        e = assertThrows(IllegalArgumentException.class, () -> ImageLimits.checkResize(1, Integer.MAX_VALUE, 336, 336L * Integer.MAX_VALUE));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> PilResampler.resize(strip, 336, 336_000_000, PilResampler.Filter.BICUBIC));
        assertTrue(e.getMessage().contains("336x336000000"), e.getMessage());
    }

    @Test
    void aLongStripWhoseResizeFitsIsResizedCorrectly() {
        // 1x20000 with shortest edge 8 -> 8x160000 (as transformers computes), then center-cropped to 8x8.
        byte[] rgb = new byte[20_000 * 3];
        Arrays.fill(rgb, (byte) 200);
        RgbImage strip = new RgbImage(1, 20_000, rgb);
        ClipImageProcessor p = processor("{\"size\":{\"shortest_edge\":8},\"crop_size\":{\"height\":8,\"width\":8},"
                + "\"image_mean\":[0,0,0],\"image_std\":[1,1,1]}");
        float[] v = p.preprocess(strip);
        assertEquals(3 * 64, v.length);
        for (float f : v) {
            assertEquals(200 / 255f, f, 1e-6f);
        }
        RgbImage resized = PilResampler.resize(strip, 8, 160_000, PilResampler.Filter.BICUBIC);
        assertEquals(8, resized.width());
        assertEquals(160_000, resized.height());
    }

    @Test
    void theConstructorChecksTheBufferSizeWithoutIntOverflow() {
        // 65536 * 65536 * 3 overflows int to 0, so an int check would accept an empty buffer.
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RgbImage(65536, 65536, new byte[0]));
        assertTrue(e.getMessage().contains("65536x65536"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RgbImage(2, 2, null));
    }

    @Test
    void truncatedPngGivesAClearMessage() throws IOException {
        Path file = tmp.resolve("truncated.png");
        byte[] whole = png(64, 64, 8, 2, y -> randomRow(y, 64 * 3));
        Files.write(file, Arrays.copyOf(whole, whole.length / 2));
        assertClearError(file, "truncated");
    }

    @Test
    void truncatedJpegGivesAClearMessage() throws IOException {
        // Java's JPEG reader only warns when the scan data runs out (and fills in gray); Pillow refuses.
        byte[] whole = Files.readAllBytes(imagesDir().resolve("rgb.jpg"));
        Path midScan = tmp.resolve("truncated-scan.jpg");
        Files.write(midScan, Arrays.copyOf(whole, whole.length - 20));
        assertClearError(midScan, "truncated");
        Path beforeScan = tmp.resolve("truncated-header.jpg");
        Files.write(beforeScan, Arrays.copyOf(whole, whole.length - 200));
        assertClearError(beforeScan, "truncated");
    }

    @Test
    void corruptHeaderGivesAClearMessage() throws IOException {
        Path file = tmp.resolve("corrupt.png");
        byte[] bytes = Files.readAllBytes(imagesDir().resolve("rgb.png"));
        Arrays.fill(bytes, 8, 40, (byte) 0xEE); // IHDR and beyond, after a valid signature
        Files.write(file, bytes);
        assertClearError(file, "corrupt");
    }

    @Test
    void textFileGivesAClearMessage() throws IOException {
        Path file = tmp.resolve("notes.png");
        Files.writeString(file, "this is not an image\n", StandardCharsets.UTF_8);
        assertClearError(file, "not an image");
    }

    @Test
    void emptyFileGivesAClearMessage() throws IOException {
        Path file = tmp.resolve("empty.jpg");
        Files.write(file, new byte[0]);
        assertClearError(file, "empty");
    }

    @Test
    void missingFileAndFolderGiveClearMessages() {
        assertClearError(tmp.resolve("missing.png"), "does not exist");
        assertClearError(tmp, "not a regular file");
    }

    @Test
    void webpIsNamedAsUnsupported() throws IOException {
        Path file = tmp.resolve("photo.webp");
        Files.write(file, "RIFF\0\0\0\0WEBPVP8 ".getBytes(StandardCharsets.ISO_8859_1));
        assertClearError(file, "WebP");
    }

    private static void assertClearError(Path file, String expectedWords) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RgbImage.read(file));
        String msg = e.getMessage();
        assertTrue(msg != null && msg.startsWith(file.toString()), "message should name the file: " + msg);
        assertTrue(msg.toLowerCase().contains(expectedWords.toLowerCase()), "expected '" + expectedWords + "' in: " + msg);
    }

    private static ClipImageProcessor processor(String json) {
        return ClipImageProcessor.parse(new JsonFields(Path.of("preprocessor_config.json"), "",
                JsonParser.parseString(json).getAsJsonObject()));
    }

    private static byte[] randomRow(int seed, int n) {
        byte[] row = new byte[n];
        long s = seed * 6364136223846793005L + 1442695040888963407L;
        for (int i = 0; i < n; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            row[i] = (byte) (s >>> 56);
        }
        return row;
    }

    private static byte[] png(int width, int height, int bitDepth, int colorType, IntFunction<byte[]> rows) {
        return png(width, height, bitDepth, colorType, rows, height);
    }

    /** A PNG streamed through a Deflater, row by row; only the first {@code rowsToWrite} rows are encoded. */
    private static byte[] png(int width, int height, int bitDepth, int colorType, IntFunction<byte[]> rows, int rowsToWrite) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        chunk(out, "IHDR", ByteBuffer.allocate(13).putInt(width).putInt(height)
                .put((byte) bitDepth).put((byte) colorType).put((byte) 0).put((byte) 0).put((byte) 0).array());
        Deflater deflater = new Deflater(6);
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        for (int y = 0; y < rowsToWrite; y++) {
            byte[] row = rows.apply(y);
            byte[] filtered = new byte[row.length + 1]; // filter type 0
            System.arraycopy(row, 0, filtered, 1, row.length);
            deflater.setInput(filtered);
            while (!deflater.needsInput()) {
                idat.write(buf, 0, deflater.deflate(buf));
            }
        }
        deflater.finish();
        while (!deflater.finished()) {
            idat.write(buf, 0, deflater.deflate(buf));
        }
        deflater.end();
        chunk(out, "IDAT", idat.toByteArray());
        chunk(out, "IEND", new byte[0]);
        return out.toByteArray();
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
        out.writeBytes(t);
        out.writeBytes(data);
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    }
}
