package org.lvlmworkbench.core.analysis.spectra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Spectra kept on disk between runs: one file per (weights, matrix, variant), holding the values as
 * little-endian doubles and nothing else, named by a hash of the key. A file appears atomically
 * (written beside, then moved), so a crash leaves either the whole file or none.
 *
 * <p>The weights are identified by {@link #weightsFingerprint}: every safetensors file's name, size and
 * header (tensor names, dtypes, shapes and offsets), not the gigabytes of data; editing a checkpoint in
 * place without changing any of these would go unnoticed, which no tool that writes checkpoints does.
 */
public final class SpectraCache {

    /** Bumped when what a cached value means changes, so old files are never read as new ones. */
    private static final String FORMAT = "spectra-v1";
    private static final String SUFFIX = ".f64";

    private final Path folder;

    public SpectraCache(Path folder) {
        this.folder = folder;
    }

    /** {@code ~/.cache/lvlm-workbench/spectra}. */
    public static Path defaultFolder() {
        return Path.of(System.getProperty("user.home"), ".cache", "lvlm-workbench", "spectra");
    }

    public Path folder() {
        return folder;
    }

    /** The values stored under the key, or empty when there are none (or the file is not whole). */
    public Optional<double[]> read(String weights, String matrix, String variant) {
        Path file = fileFor(weights, matrix, variant);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            byte[] bytes = Files.readAllBytes(file);
            if (bytes.length % Double.BYTES != 0) {
                return Optional.empty();
            }
            double[] values = new double[bytes.length / Double.BYTES];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asDoubleBuffer().get(values);
            return Optional.of(values);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot read cached spectrum of " + matrix + ": " + e.getMessage(), e);
        }
    }

    /** Stores {@code values} under the key, replacing what was there. */
    public void write(String weights, String matrix, String variant, double[] values) {
        Path file = fileFor(weights, matrix, variant);
        Path partial = file.resolveSibling(file.getFileName() + ".partial");
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asDoubleBuffer().put(values);
        try {
            Files.createDirectories(folder);
            Files.write(partial, bytes.array());
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // The write already failed; the .partial name marks the leftover as unfinished.
            }
            throw new UncheckedIOException(file + ": cannot cache the spectrum of " + matrix + ": " + e.getMessage(), e);
        }
    }

    private Path fileFor(String weights, String matrix, String variant) {
        return folder.resolve(sha256(String.join("\0", FORMAT, weights, matrix, variant)) + SUFFIX);
    }

    /**
     * SHA-256 over the name, byte size and header of every {@code *.safetensors} file in
     * {@code modelFolder}, in name order.
     */
    public static String weightsFingerprint(Path modelFolder) {
        List<Path> files = filesEndingWith(modelFolder, ".safetensors");
        if (files.isEmpty()) {
            throw new IllegalArgumentException(modelFolder + ": holds no .safetensors file to fingerprint");
        }
        MessageDigest d = digest();
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                long size = ch.size();
                ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                readFully(ch, length, f);
                long headerBytes = length.getLong(0);
                if (headerBytes < 0 || headerBytes > size - 8) {
                    throw new IllegalArgumentException(f + ": header length " + headerBytes
                            + " does not fit a file of " + size + " bytes");
                }
                ByteBuffer header = ByteBuffer.allocate(Math.toIntExact(headerBytes));
                readFully(ch, header, f);
                d.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                d.update(ByteBuffer.allocate(8).putLong(size).array());
                d.update(header.flip());
            } catch (IOException e) {
                throw new UncheckedIOException(f + ": cannot read its header: " + e.getMessage(), e);
            }
        }
        return HexFormat.of().formatHex(d.digest()).substring(0, 32);
    }

    /**
     * SHA-256 over the bytes of the folder's configuration files ({@code *.json}, {@code *.jinja}):
     * the tokenizer, chat template and image processor that turn a probe into the activations a
     * calibration Gram sums.
     */
    public static String processingFingerprint(Path modelFolder) {
        MessageDigest d = digest();
        for (String suffix : new String[] {".json", ".jinja"}) {
            for (Path f : filesEndingWith(modelFolder, suffix)) {
                try {
                    d.update(f.getFileName().toString().getBytes(StandardCharsets.UTF_8));
                    d.update((byte) 0);
                    d.update(Files.readAllBytes(f));
                } catch (IOException e) {
                    throw new UncheckedIOException(f + ": cannot read: " + e.getMessage(), e);
                }
            }
        }
        return HexFormat.of().formatHex(d.digest()).substring(0, 32);
    }

    private static void readFully(FileChannel ch, ByteBuffer into, Path f) throws IOException {
        while (into.hasRemaining()) {
            if (ch.read(into) < 0) {
                throw new IOException("ends before its header does");
            }
        }
    }

    private static List<Path> filesEndingWith(Path folder, String suffix) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p)).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": cannot be listed: " + e.getMessage(), e);
        }
    }

    private static String sha256(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
