package org.lvlmworkbench.core.architecture;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core must run headless on a GPU server: no JavaFX (or AWT UI) may leak into it. */
class CoreIsHeadlessTest {

    @Test
    void coreImportsNoJavaFx() throws IOException {
        Path core = Path.of("src/main/java/org/lvlmworkbench/core");
        assertTrue(Files.isDirectory(core), "run from the project root");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(core)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(CoreIsHeadlessTest::mentionsJavaFx)
                    .map(Path::toString)
                    .collect(Collectors.toList());
        }
        assertTrue(offenders.isEmpty(), "core files that touch JavaFX: " + offenders);
        long count;
        try (Stream<Path> files = Files.walk(core)) {
            count = files.filter(p -> p.toString().endsWith(".java")).count();
        }
        assertTrue(count > 20, "the scan must actually see the core sources, saw " + count);
    }

    private static boolean mentionsJavaFx(Path p) {
        try {
            String s = Files.readString(p);
            return s.contains("javafx.") || s.contains("org.controlsfx") || s.contains("io.fair_acc");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
