package org.lvlmworkbench.core.sample;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the shipped sample model lives, so commands and the app can open it when given no model. */
public final class SampleModel {

    /** Folder name under {@code samples/}. */
    public static final String NAME = "llava-shapes";
    /** The deeper sample (16 decoder layers), which the analysis and compression views are made for. */
    public static final String DEEP_NAME = "llava-shapes-deep";

    private SampleModel() {
    }

    /**
     * {@code -Dlvlm.samples=DIR} wins; otherwise {@code samples/} in the working directory, then
     * beside the application's jar (an installed app image).
     */
    public static Path samplesFolder() {
        String configured = System.getProperty("lvlm.samples");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        Path local = Path.of("samples");
        if (Files.isDirectory(local)) {
            return local;
        }
        try {
            Path jar = Path.of(SampleModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = jar.getParent(); p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("samples"))) {
                    return p.resolve("samples");
                }
            }
        } catch (Exception ignored) {
            // Fall through to the working-directory answer, which the caller's error message names.
        }
        return local;
    }

    public static Path defaultModel() {
        return samplesFolder().resolve(NAME);
    }

    public static Path deepModel() {
        return samplesFolder().resolve(DEEP_NAME);
    }

    /**
     * What the app opens when given no model: the deeper sample, whose 16 layers give the
     * similarity, spectra and compression views something to find (its analyses take seconds), or
     * the first sample where the deeper one is absent. The command line keeps the first sample as
     * its default, the smallest and fastest model to try a command on.
     */
    public static Path appModel() {
        Path deep = deepModel();
        return Files.isRegularFile(deep.resolve("config.json")) ? deep : defaultModel();
    }
}
