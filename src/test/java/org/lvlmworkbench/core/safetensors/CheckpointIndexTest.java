package org.lvlmworkbench.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.safetensors.SafetensorsException.Rule;

class CheckpointIndexTest {

    @TempDir
    Path dir;

    private void shard(String name, String... tensors) {
        try (NDManager m = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            SafetensorsWriter w = new SafetensorsWriter();
            for (String t : tensors) {
                w.add(t, m.create(new float[] {1, 2}), DType.F32);
            }
            w.write(dir.resolve(name));
        }
    }

    private void index(String weightMapJson) throws IOException {
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), "{\"metadata\":{},\"weight_map\":" + weightMapJson + "}");
    }

    private SafetensorsException fails() {
        return assertThrows(SafetensorsException.class, () -> Checkpoint.open(dir).close());
    }

    @Test
    void opensShardsThroughTheIndex() throws IOException {
        shard("a.safetensors", "x");
        shard("b.safetensors", "y");
        index("{\"x\":\"a.safetensors\",\"y\":\"b.safetensors\"}");
        try (Checkpoint c = Checkpoint.open(dir)) {
            assertTrue(c.isSharded());
            assertEquals(2, c.names().size());
            assertEquals(2, c.shards().size());
        }
    }

    @Test
    void refusesShardNamesThatLeaveTheFolder() throws IOException {
        index("{\"x\":\"../evil.safetensors\"}");
        assertEquals(Rule.SHARD_ESCAPES_FOLDER, fails().rule());
        index("{\"x\":\"/etc/passwd\"}");
        SafetensorsException e = fails();
        assertEquals(Rule.SHARD_ESCAPES_FOLDER, e.rule());
        assertEquals("x", e.tensor());
    }

    @Test
    void missingShardAndMismatchedIndexAreNamed() throws IOException {
        index("{\"x\":\"nope.safetensors\"}");
        assertEquals(Rule.SHARD_MISSING, fails().rule());
        shard("a.safetensors", "x");
        index("{\"z\":\"a.safetensors\"}");
        SafetensorsException e = fails();
        assertEquals(Rule.INDEX_MISMATCH, e.rule());
        assertEquals("z", e.tensor());
    }

    @Test
    void malformedIndex() throws IOException {
        Files.writeString(dir.resolve(Checkpoint.INDEX_FILE), "{\"metadata\":{}}");
        assertEquals(Rule.BAD_INDEX, fails().rule());
    }

    @Test
    void emptyFolderSaysWhatIsMissing() {
        SafetensorsException e = fails();
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }
}
