package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.testing.TinyModels;
import org.lvlmworkbench.core.sample.ShapesWorld;

class CliTest {

    @TempDir
    Path dir;


    @Test
    void runOnAGeneratedCheckpointPrintsAnAnswerAndTimings() {
        Path image = dir.resolve("i.png");
        new ShapesWorld(48, 3).example(ShapesWorld.Split.TRAIN, 0).image().writePng(image);
        CliRun r = CliRun.of("run", "--model", TinyModels.legacyF32().toString(), "--image", image.toString(),
                "--prompt", "what color is the circle?", "--max-new-tokens", "3");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("prefill") && r.out().contains("decode"), r.out());
        CliRun sampled = CliRun.of("run", "--model", TinyModels.legacyF32().toString(), "--image", image.toString(),
                "--prompt", "what color is the circle?", "--max-new-tokens", "3", "--temperature", "1.5", "--seed", "9");
        assertEquals(0, sampled.code(), sampled.err());
    }

    @Test
    void makeRandomThenInspect() {
        Path out = dir.resolve("rnd");
        assertEquals(0, CliRun.of("make-random", "--out", out.toString(), "--layout", "current", "--dtype", "F16",
                "--shards", "2").code());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors.index.json")));
        CliRun r = CliRun.of("inspect", "--model", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("model.language_model.") && r.out().contains("F16"), r.out());
    }

    @Test
    void badInputIsOneClearLineNotAStackTrace() {
        CliRun r = CliRun.of("inspect", "--model", dir.resolve("nowhere").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("nowhere"), r.err());
        assertTrue(!r.err().contains("\tat "), r.err());
        CliRun img = CliRun.of("run", "--model", TinyModels.legacyF32().toString(), "--image", dir.resolve("no.png").toString(),
                "--prompt", "x");
        assertEquals(1, img.code());
        assertTrue(img.err().contains("no.png"), img.err());
    }
}
