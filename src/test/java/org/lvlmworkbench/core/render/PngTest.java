package org.lvlmworkbench.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PngTest {

    @TempDir
    Path dir;

    private static BufferedImage pattern(int seed) {
        BufferedImage img = new BufferedImage(37, 23, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, (x * 7 + seed) << 16 | (y * 11) << 8 | (x * y + seed) & 0xff);
            }
        }
        return img;
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void roundTripsCreatesFoldersAndLeavesNoTemporaryFile() throws IOException {
        Path file = dir.resolve("charts/layers/cka.png");
        BufferedImage first = pattern(1);
        Png.write(first, file);
        assertSamePixels(first, ImageIO.read(file.toFile()));
        assertEquals(List.of("cka.png"), names(file.getParent()));

        BufferedImage second = pattern(90);
        Png.write(second, file);
        assertSamePixels(second, ImageIO.read(file.toFile()));
        assertEquals(List.of("cka.png"), names(file.getParent()), "replaced in place, nothing left over");
    }

    @Test
    void failuresNameThePath() throws IOException {
        Path notAFolder = dir.resolve("plain-file");
        Files.writeString(notAFolder, "x");
        Path file = notAFolder.resolve("chart.png");
        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> Png.write(pattern(1), file));
        assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
        assertEquals(List.of("plain-file"), names(dir));
    }

    private static void assertSamePixels(BufferedImage expected, BufferedImage actual) {
        assertEquals(expected.getWidth(), actual.getWidth());
        assertEquals(expected.getHeight(), actual.getHeight());
        for (int y = 0; y < expected.getHeight(); y++) {
            for (int x = 0; x < expected.getWidth(); x++) {
                assertEquals(expected.getRGB(x, y), actual.getRGB(x, y), "pixel " + x + "," + y);
            }
        }
    }
}
