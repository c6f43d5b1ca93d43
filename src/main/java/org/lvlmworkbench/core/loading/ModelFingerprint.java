package org.lvlmworkbench.core.loading;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * A short identity of a model folder for result caches: SHA-256 over its JSON files (config,
 * processor, tokenizer settings) and, per safetensors file, its size and header (names, dtypes,
 * shapes, offsets). Reads kilobytes, not the weights: a rewritten checkpoint with another size or
 * header changes it; flipping bits inside a tensor does not (the caches hold derived numbers, and
 * a checkpoint that changes its weights in place without changing its header is not a case worth
 * reading gigabytes for on every open).
 */
public final class ModelFingerprint {

    private ModelFingerprint() {
    }

    public static String of(Path folder) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            List<Path> files;
            try (Stream<Path> s = Files.list(folder)) {
                files = s.filter(Files::isRegularFile).sorted().toList();
            }
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".json") || name.endsWith(".jinja")) {
                    d.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    d.update(Files.readAllBytes(f));
                } else if (name.endsWith(".safetensors")) {
                    d.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                    d.update(header(f));
                }
            }
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fingerprint " + folder + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The file's size (8 bytes) and its JSON header, bounded to 100 MB as the reader bounds it. */
    private static byte[] header(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (size >= 8) {
                ch.read(len, 0);
            }
            long n = size >= 8 ? len.getLong(0) : 0;
            int take = (int) Math.max(0, Math.min(n, Math.min(size - 8, 100L << 20)));
            ByteBuffer out = ByteBuffer.allocate(8 + take).order(ByteOrder.LITTLE_ENDIAN);
            out.putLong(size);
            ByteBuffer h = out.slice(8, take);
            ch.read(h, 8);
            return out.array();
        }
    }
}
