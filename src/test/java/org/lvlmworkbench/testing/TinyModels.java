package org.lvlmworkbench.testing;

import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;

import ai.djl.Device;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.sample.LlavaSpec;
import org.lvlmworkbench.core.sample.RandomLlava;
import org.lvlmworkbench.core.safetensors.DType;

/** Random-weight LLaVA folders written once per test run and shared by the tests that read them. */
public final class TinyModels {

    private static final Map<String, Path> FOLDERS = new ConcurrentHashMap<>();

    private TinyModels() {
    }

    public static Path folder(LlavaKeyLayout layout, DType dtype, int shards) {
        String key = layout.name() + "-" + dtype + "-" + shards;
        return FOLDERS.computeIfAbsent(key, k -> {
            try {
                Path dir = Files.createTempDirectory("tiny-llava-" + k.replaceAll("[^A-Za-z0-9.-]+", "_"));
                RandomLlava.writeFolder(dir, LlavaSpec.tiny(), layout, dtype, shards, 42);
                return dir;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    public static Path legacyF32() {
        return folder(LlavaKeyLayout.LEGACY, DType.F32, 1);
    }

    /** A copy of the F32 tiny model in {@code destination}, for a test to break or edit; the original stays intact. */
    public static Path copyOfLegacyF32(Path destination) throws IOException {
        Files.createDirectories(destination);
        try (java.util.stream.Stream<Path> files = Files.list(legacyF32())) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, destination.resolve(f.getFileName()));
            }
        }
        return destination;
    }

    public static LoadedModel load(Path folder) {
        return ModelLoader.load(folder, Device.cpu());
    }
}
