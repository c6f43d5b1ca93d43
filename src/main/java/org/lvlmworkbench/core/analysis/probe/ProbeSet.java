package org.lvlmworkbench.core.analysis.probe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.eval.EvalSet;

/**
 * The inputs an analysis runs over, with a name for people and a fingerprint for caches (the same
 * items in the same order give the same fingerprint, wherever the files are).
 */
public record ProbeSet(String name, List<ProbeItem> items) {

    public ProbeSet {
        items = List.copyOf(items);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("probe set '" + name + "' has no items");
        }
    }

    /** The first {@code n} items of an evaluation file (JSONL: image, prompt, answer, type), or all when n ≤ 0. */
    public static ProbeSet fromEvalFile(Path file, int n) {
        EvalSet set = EvalSet.read(file);
        List<ProbeItem> items = new ArrayList<>();
        List<EvalItem> source = set.items();
        int count = n <= 0 ? source.size() : Math.min(n, source.size());
        for (int i = 0; i < count; i++) {
            EvalItem e = source.get(i);
            items.add(new ProbeItem(Integer.toString(i + 1), e.image(), e.prompt(), e.answer(), e.type()));
        }
        return new ProbeSet(file.getFileName() + (count < source.size() ? " (first " + count + ")" : ""), items);
    }

    /** Every PNG, JPEG, BMP or GIF in {@code folder} (sorted by name), each with {@code prompt}. */
    public static ProbeSet fromImageFolder(Path folder, String prompt, int n) {
        List<Path> images;
        try (Stream<Path> files = Files.list(folder)) {
            images = files.filter(p -> {
                String f = p.getFileName().toString().toLowerCase(Locale.ROOT);
                return f.endsWith(".png") || f.endsWith(".jpg") || f.endsWith(".jpeg") || f.endsWith(".bmp")
                        || f.endsWith(".gif");
            }).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException(folder, null, "cannot be listed: " + e.getMessage(), e);
        }
        if (images.isEmpty()) {
            throw new ConfigException(folder, null, "holds no PNG, JPEG, BMP or GIF image");
        }
        List<ProbeItem> items = new ArrayList<>();
        for (Path image : n <= 0 ? images : images.subList(0, Math.min(n, images.size()))) {
            items.add(new ProbeItem(image.getFileName().toString(), image, prompt, null, null));
        }
        return new ProbeSet(folder.getFileName() + " × \"" + prompt + "\"", items);
    }

    /** What the user typed: one prompt, with an image or not. */
    public static ProbeSet single(String prompt, Path image, String expected) {
        return new ProbeSet("typed", List.of(new ProbeItem("typed", image, prompt, expected, null)));
    }

    public int size() {
        return items.size();
    }

    /**
     * SHA-256 over each item's id, prompt, expected answer and image bytes: what a cache keys on
     * (renaming a folder keeps it, editing an image changes it).
     */
    public String fingerprint() {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (ProbeItem item : items) {
                for (String s : new String[] {item.id(), item.prompt(), String.valueOf(item.expected())}) {
                    d.update(s.getBytes(StandardCharsets.UTF_8));
                    d.update((byte) 0);
                }
                if (item.image() != null) {
                    d.update(Files.readAllBytes(item.image()));
                }
                d.update((byte) 1);
            }
            return HexFormat.of().formatHex(d.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
