package org.lvlmworkbench.core.analysis;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Finished analyses on disk, keyed by what determines them: the analysis, the model's fingerprint,
 * the probe set's fingerprint and the settings. A second open of the same analysis reads the file
 * instead of running again. Files are gzipped JSON, written atomically; an unreadable file (an older
 * format, a torn copy) is treated as absent and replaced.
 */
public final class ResultCache {

    /** Bump when a result record changes shape: old files are then simply not found. */
    static final int FORMAT = 1;

    private final Path dir;

    public ResultCache(Path dir) {
        this.dir = dir;
    }

    /** {@code -Dlvlm.cache=DIR}, else {@code ~/.cache/lvlm-workbench/results}. */
    public static ResultCache standard() {
        String configured = System.getProperty("lvlm.cache");
        return new ResultCache(configured != null ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".cache", "lvlm-workbench", "results"));
    }

    /** A cache that never holds anything (for {@code --no-cache}). */
    public static ResultCache none() {
        return new ResultCache(null);
    }

    public Path dir() {
        return dir;
    }

    /** The key of an analysis: a hash of everything that determines its result. */
    public static String key(String analysis, String modelFingerprint, String probeFingerprint, Object settings) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {"format " + FORMAT, analysis, modelFingerprint, probeFingerprint,
                AnalysisJson.gson().toJson(settings)}) {
                d.update(part.getBytes(StandardCharsets.UTF_8));
                d.update((byte) 0);
            }
            return analysis + "-" + HexFormat.of().formatHex(d.digest()).substring(0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public <T> Optional<T> get(String key, Class<T> type) {
        if (dir == null) {
            return Optional.empty();
        }
        Path file = dir.resolve(key + ".json.gz");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try (Reader r = new InputStreamReader(new GZIPInputStream(Files.newInputStream(file)), StandardCharsets.UTF_8)) {
            return Optional.ofNullable(AnalysisJson.gson().fromJson(r, type));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    public void put(String key, Object result) {
        if (dir == null) {
            return;
        }
        Path file = dir.resolve(key + ".json.gz");
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, key, ".partial");
            try (Writer w = new OutputStreamWriter(new GZIPOutputStream(Files.newOutputStream(tmp)),
                    StandardCharsets.UTF_8)) {
                AnalysisJson.gson().toJson(result, w);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the result cache " + file + ": " + e.getMessage(), e);
        }
    }
}
