package org.lvlmworkbench.core.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShapesEvalSetTest {

    @Test
    void eachShippedSampleIsPairedWithTheSplitDrawnAtItsImageSize() {
        assertEquals(ShapesEvalSet.defaultFile(), ShapesEvalSet.defaultFileFor(SampleModel.defaultModel()));
        Path deepSplit = SampleModel.samplesFolder().resolve("shapes-eval-64").resolve(ShapesEvalSet.FILE);
        assertEquals(deepSplit, ShapesEvalSet.defaultFileFor(SampleModel.deepModel()));
        assertEquals(true, Files.isRegularFile(deepSplit), "the deeper sample's split is shipped: " + deepSplit);
        assertEquals(SampleModel.deepModel(), SampleModel.appModel(), "the app opens the deeper sample");
    }

    @Test
    void aModelAtAnotherSizeOrWithoutAReadableConfigGetsTheDefaultSplit(@TempDir Path dir) throws IOException {
        assertEquals(ShapesEvalSet.defaultFile(), ShapesEvalSet.defaultFileFor(dir));
        Files.writeString(dir.resolve("config.json"), "{\"vision_config\": {\"image_size\": 336}}");
        assertEquals(ShapesEvalSet.defaultFile(), ShapesEvalSet.defaultFileFor(dir));
        Files.writeString(dir.resolve("config.json"), "{\"vision_config\": {\"image_size\": 64}}");
        assertEquals(SampleModel.samplesFolder().resolve("shapes-eval-64").resolve(ShapesEvalSet.FILE),
                ShapesEvalSet.defaultFileFor(dir));
        Files.writeString(dir.resolve("config.json"), "{not json");
        assertEquals(ShapesEvalSet.defaultFile(), ShapesEvalSet.defaultFileFor(dir));
    }
}
