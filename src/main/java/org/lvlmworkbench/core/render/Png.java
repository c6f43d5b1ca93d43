package org.lvlmworkbench.core.render;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import javax.imageio.ImageIO;

/** Writes PNG files so that a reader never sees half a file: a temporary file beside it, then a move. */
public final class Png {

    private Png() {
    }

    /**
     * Writes {@code image} to {@code file} as PNG, creating missing parent folders and replacing an
     * existing file. Failures are an {@link UncheckedIOException} naming the file; no temporary file
     * is left behind.
     */
    public static void write(BufferedImage image, Path file) {
        if (image == null) {
            throw new IllegalArgumentException(file + ": no image to write");
        }
        Path target = file.toAbsolutePath();
        Path tmp = null;
        try {
            Files.createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName() + ".", ".partial");
            if (!ImageIO.write(image, "png", tmp.toFile())) {
                throw new IOException("no PNG writer for an image of type " + image.getType());
            }
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException(file + ": cannot write PNG: " + e, e);
        } catch (RuntimeException e) {
            deleteQuietly(tmp);
            throw new UncheckedIOException(file + ": cannot write PNG: " + e, new IOException(e));
        }
    }

    private static void deleteQuietly(Path tmp) {
        if (tmp == null) {
            return;
        }
        try {
            Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
            // The write already failed and that is what gets reported; a leftover is marked ".partial".
        }
    }
}
