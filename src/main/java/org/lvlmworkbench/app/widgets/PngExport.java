package org.lvlmworkbench.app.widgets;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javafx.scene.image.Image;
import javafx.scene.image.PixelReader;
import javax.imageio.ImageIO;

/**
 * Writes JavaFX images as PNG with {@code javax.imageio}, copying pixel by pixel (the project does not
 * depend on javafx-swing, which would do the conversion).
 */
public final class PngExport {

    private PngExport() {
    }

    /** The image's ARGB pixels as an AWT image of the same size. */
    public static BufferedImage toBufferedImage(Image image) {
        int w = (int) image.getWidth();
        int h = (int) image.getHeight();
        PixelReader reader = image.getPixelReader();
        if (reader == null) {
            throw new IllegalArgumentException("the image has no readable pixels (still loading?)");
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                out.setRGB(x, y, reader.getArgb(x, y));
            }
        }
        return out;
    }

    /** Writes {@code image} to {@code file} through a temporary file beside it, so a failed write leaves no half file. */
    public static void write(Image image, Path file) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".part");
            try {
                if (!ImageIO.write(toBufferedImage(image), "png", tmp.toFile())) {
                    throw new IOException("no PNG writer is installed");
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": could not write the PNG: " + e.getMessage(), e);
        }
    }
}
