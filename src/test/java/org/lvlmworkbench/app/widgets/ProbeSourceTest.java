package org.lvlmworkbench.app.widgets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import org.lvlmworkbench.core.sample.ShapesWorld;

/** What a probe-set bar's source builds, without a UI toolkit. */
class ProbeSourceTest {

    @Test
    void anEvaluationFileGivesItsFirstQuestions(@TempDir Path dir) {
        Path file = ShapesEvalSet.write(dir, new ShapesWorld(48, 3), 4);
        ProbeSource source = new ProbeSource(file, 2);
        ProbeSet probes = source.spec().build();
        assertEquals(2, probes.size());
        assertTrue(probes.items().get(0).expected() != null, "evaluation items carry their answer");
        assertEquals("eval.jsonl (first 2)", source.spec().describe());
        source.count.set(50);
        assertEquals(4, source.spec().build().size(), "a shorter file gives what it has");
    }

    @Test
    void anImageFolderAsksEveryImageTheSamePrompt(@TempDir Path dir) {
        ShapesEvalSet.write(dir, new ShapesWorld(48, 3), 3);
        ProbeSource source = new ProbeSource(null, 5);
        source.kind.set(ProbeSource.Kind.IMAGE_FOLDER);
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> source.spec().build());
        assertEquals("choose a folder of images first", none.getMessage());
        source.imageFolder.set(dir.resolve("images"));
        source.prompt.set("  how many shapes are there?  ");
        ProbeSet probes = source.spec().build();
        assertEquals(3, probes.size());
        assertEquals("how many shapes are there?", probes.items().get(2).prompt());
        assertEquals("images × “how many shapes are there?” (first 5)", source.spec().describe());
        source.prompt.set(" ");
        assertThrows(IllegalArgumentException.class, () -> source.spec().build(), "no prompt, no probe set");
    }

    @Test
    void theCountStaysWithinItsBoundsAndBadFoldersAreNamed(@TempDir Path dir) throws Exception {
        ProbeSource source = new ProbeSource(null, 0);
        assertEquals(1, source.count.get());
        source.count.set(1_000_000);
        assertEquals(ProbeSource.MAX_COUNT, source.count.get());
        assertThrows(IllegalArgumentException.class, () -> source.spec().build(), "no evaluation file chosen");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        source.kind.set(ProbeSource.Kind.IMAGE_FOLDER);
        source.imageFolder.set(empty);
        ConfigException e = assertThrows(ConfigException.class, () -> source.spec().build());
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
