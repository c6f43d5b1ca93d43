package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** make-random's --shape: names checked, the tiny default unchanged, the storage type per shape. */
class MakeRandomShapeTest {

    @TempDir
    Path dir;


    @Test
    void unknownShapeNamesTheKnownOnesAndWritesNothing() {
        Path out = dir.resolve("m");
        CliRun r = CliRun.of("make-random", "--shape", "llava-13b", "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("llava-13b") && r.err().contains("tiny, tinyllama-1.1b, llava-7b"), r.err());
        assertFalse(Files.exists(out));
        assertEquals(1, CliRun.of("make-random", "--out", out.toString(), "--shards", "0").code());
    }

    @Test
    void tinyIsTheDefaultAndTakesTheStorageTypeAsked() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        assertEquals(0, CliRun.of("make-random", "--out", a.toString()).code());
        CliRun r = CliRun.of("make-random", "--shape", "tiny", "--dtype", "BF16", "--shards", "3", "--out", b.toString());
        assertEquals(0, r.code(), r.err());
        JsonObject ca = JsonParser.parseString(Files.readString(a.resolve("config.json"))).getAsJsonObject();
        JsonObject cb = JsonParser.parseString(Files.readString(b.resolve("config.json"))).getAsJsonObject();
        assertEquals("float32", ca.get("torch_dtype").getAsString(), "tiny defaults to F32, as before");
        assertEquals("bfloat16", cb.get("torch_dtype").getAsString());
        assertTrue(Files.isRegularFile(b.resolve("model-00003-of-00003.safetensors")));
        CliRun inspect = CliRun.of("inspect", "--model", b.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("BF16"), inspect.out());
    }
}
