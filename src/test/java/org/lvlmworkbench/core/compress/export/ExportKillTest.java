package org.lvlmworkbench.core.compress.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.compress.apply.PlanApplier;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.testing.TinyModels;

/**
 * {@code kill -9} in the middle of an export (a child JVM, killed while a weights file is half
 * written): the target is absent afterwards, or, for a forced replace, the previous folder is intact;
 * the next export to that target removes what the killed one left.
 */
class ExportKillTest {

    private static final long WAIT_SECONDS = 90;

    @Test
    void killedMidWriteLeavesNothingOrThePreviousFolder(@TempDir Path dir) throws Exception {
        Path fresh = dir.resolve("fresh");
        killMidWrite(fresh, false);
        assertFalse(Files.exists(fresh), "a killed export leaves no target");

        Path replaced = dir.resolve("replaced");
        ExportOptions f32 = ExportOptions.DEFAULTS.withDtype(DType.F32);
        try (LoadedModel original = TinyModels.load(ModelExporterTest.SAMPLE)) {
            String fp = PlanApplier.shapeOf(original).fingerprint();
            ModelExporter.export(original, ExportPlans.PLAIN, ExportPlans.mergeAndDrop(fp), replaced, f32, Progress.NONE);
            String before = FolderHashes.of(replaced);
            killMidWrite(replaced, true);
            assertEquals(before, FolderHashes.of(replaced), "a killed forced replace leaves the previous folder intact");

            assertTrue(listing(dir).stream().anyMatch(n -> n.startsWith(".fresh.export-")), "the killed exports left "
                    + "their unfinished folders: " + listing(dir));
            ModelExporter.export(original, ExportPlans.PLAIN, ExportPlans.mergeAndDrop(fp), fresh, f32, Progress.NONE);
            ModelExporter.export(original, ExportPlans.PLAIN, ExportPlans.fastV(fp), replaced, f32.withForce(true),
                    Progress.NONE);
        }
        assertEquals(List.of("fresh", "replaced"), listing(dir), "the next exports cleaned up after the killed ones");
    }

    /** Starts {@link ExportChild} on {@code target} and kills it with SIGKILL once a weights file is being written. */
    private static void killMidWrite(Path target, boolean force) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = Files.createTempFile("export-child", ".log");
        Process p = new ProcessBuilder(List.of(java.toString(), "-Dai.djl.offline=true", "-Xss4m", "--add-modules",
                "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"), ExportChild.class.getName(),
                target.toString(), force ? "force" : "")).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            Optional<Path> partial = Optional.empty();
            while (partial.isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
                partial = halfWritten(target);
                Thread.sleep(10);
            }
            assertTrue(partial.isPresent(), "the child never started writing: " + Files.readString(log,
                    StandardCharsets.UTF_8));
            Thread.sleep(300); // well inside the write: each factorisation takes 400 ms
            assertTrue(p.isAlive(), "the child finished before it could be killed");
            p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, p.exitValue(), "killed by SIGKILL");
            assertFalse(Files.readString(log).contains("finished"));
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(log);
        }
    }

    /** A weights file being written inside an unfinished export folder for {@code target}. */
    private static Optional<Path> halfWritten(Path target) throws Exception {
        String prefix = "." + target.getFileName() + ".export-";
        try (Stream<Path> s = Files.list(target.getParent())) {
            for (Path d : s.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                try (Stream<Path> files = Files.list(d)) {
                    Optional<Path> f = files.filter(x -> x.getFileName().toString().endsWith(".safetensors.partial"))
                            .findFirst();
                    if (f.isPresent()) {
                        return f;
                    }
                } catch (java.nio.file.NoSuchFileException raced) {
                    // Listed, then renamed or removed: look again.
                }
            }
        }
        return Optional.empty();
    }

    private static List<String> listing(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
