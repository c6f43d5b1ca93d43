package org.lvlmworkbench.core.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import org.lvlmworkbench.core.sample.ShapesWorld;

class EvalSetTest {

    @TempDir
    Path dir;

    @Test
    void writtenSplitReadsBack() {
        Path file = ShapesEvalSet.write(dir, new ShapesWorld(48, 1), 12);
        EvalSet set = EvalSet.read(file);
        assertEquals(12, set.items().size());
        assertEquals(dir.resolve("images/0003.png").toAbsolutePath(), set.items().get(3).image());
    }

    @Test
    void badLinesAreNamed() throws IOException {
        Path file = dir.resolve("e.jsonl");
        Files.writeString(file, "{\"prompt\":\"p\",\"answer\":\"a\"}\n{\"prompt\":\"q\"}\n");
        ConfigException e = assertThrows(ConfigException.class, () -> EvalSet.read(file));
        assertEquals("line 2.answer", e.field());
        Files.writeString(file, "{\"image\":\"missing.png\",\"prompt\":\"p\",\"answer\":\"a\"}\n");
        assertEquals("line 1.image", assertThrows(ConfigException.class, () -> EvalSet.read(file)).field());
    }

    @Test
    void normalizationIgnoresCaseSpaceAndFinalPunctuation() {
        assertEquals("red", Evaluator.normalize("  Red. "));
        assertEquals("two words", Evaluator.normalize("Two words!"));
    }
}
