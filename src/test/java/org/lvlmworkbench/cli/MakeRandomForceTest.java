package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** make-random never overwrites a non-empty folder unless asked to with --force. */
class MakeRandomForceTest {

    @TempDir
    Path dir;


    @Test
    void nonEmptyFolderIsRefusedWithoutForce() throws Exception {
        Path out = dir.resolve("model");
        Files.createDirectories(out);
        Path notes = Files.writeString(out.resolve("notes.txt"), "mine");
        CliRun r = CliRun.of("make-random", "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: " + out) && r.err().contains("not empty") && r.err().contains("notes.txt")
                && r.err().contains("--force"), r.err());
        assertEquals(1, Files.list(out).count(), "nothing written");
        assertEquals("mine", Files.readString(notes));

        Path empty = dir.resolve("empty");
        Files.createDirectories(empty);
        assertEquals(0, CliRun.of("make-random", "--out", empty.toString()).code(), "an empty folder is fine");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertEquals(1, CliRun.of("make-random", "--out", file.toString()).code());
    }

    @Test
    void existingModelIsKeptWithoutForceAndReplacedWithIt() throws Exception {
        Path out = dir.resolve("model");
        assertEquals(0, CliRun.of("make-random", "--out", out.toString(), "--shards", "2", "--seed", "1").code());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors.index.json")));
        byte[] shard = Files.readAllBytes(out.resolve("model-00001-of-00002.safetensors"));

        CliRun refused = CliRun.of("make-random", "--out", out.toString(), "--seed", "2");
        assertEquals(1, refused.code());
        assertArrayEquals(shard, Files.readAllBytes(out.resolve("model-00001-of-00002.safetensors")), "untouched");
        assertFalse(Files.exists(out.resolve("model.safetensors")));

        CliRun forced = CliRun.of("make-random", "--out", out.toString(), "--seed", "2", "--force");
        assertEquals(0, forced.code(), forced.err());
        assertTrue(forced.out().contains("replacing"), forced.out());
        assertTrue(Files.isRegularFile(out.resolve("model.safetensors")));
        assertFalse(Files.exists(out.resolve("model.safetensors.index.json")), "no stale index left to be read instead");
        assertFalse(Files.exists(out.resolve("model-00001-of-00002.safetensors")));
        CliRun inspect = CliRun.of("inspect", "--model", out.toString());
        assertEquals(0, inspect.code(), inspect.err());
    }
}
