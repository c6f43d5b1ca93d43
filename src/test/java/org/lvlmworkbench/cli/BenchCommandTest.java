package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bench} end to end on the unit-test shape: checkpoints written, this project measured in child
 * JVMs, the transformers side reported as skipped (its interpreter does not exist), JSON and table
 * written. Speed is never asserted.
 */
class BenchCommandTest {

    @TempDir
    Path dir;


    @Test
    void tinyBenchRunsThisProjectAndReportsTransformersSkipped() throws Exception {
        Path work = dir.resolve("work");
        String python = dir.resolve("no-python").toString();
        CliRun r = CliRun.of("bench", "--shape", "tiny", "--runs", "1", "--new-tokens", "3", "--work", work.toString(),
                "--python", python, "--roofline-mb", "16");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("skipped") && r.out().contains("this project") && r.out().contains("targets"),
                r.out());
        JsonObject j = JsonParser.parseString(Files.readString(work.resolve("bench.json"))).getAsJsonObject();
        assertTrue(!j.getAsJsonObject("transformers").get("available").getAsBoolean());
        assertTrue(j.getAsJsonObject("transformers").get("skipped").getAsString().contains("no-python"));
        JsonArray models = j.getAsJsonArray("models");
        assertEquals(2, models.size(), "F32 and BF16");
        for (int i = 0; i < 2; i++) {
            JsonObject m = models.get(i).getAsJsonObject();
            JsonObject run = m.getAsJsonObject("java").getAsJsonArray("runs").get(0).getAsJsonObject();
            assertTrue(run.has("prefill_s") && run.has("peak_rss_bytes"), run.toString());
            assertEquals(3, run.get("new_tokens").getAsInt(), "end-of-sequence ignored: exactly the tokens asked for");
            assertEquals(1, run.get("images").getAsInt());
            assertEquals(16 + 11, run.get("prompt_tokens").getAsInt(), "16 image tokens and the question");
            assertTrue(m.getAsJsonObject("transformers").has("skipped"));
        }
        assertTrue(j.getAsJsonObject("roofline").getAsJsonObject("java_djl").has("gemm_f32_gflops"));
        j.getAsJsonArray("targets").forEach(t -> {
            String name = t.getAsJsonObject().get("name").getAsString();
            String status = t.getAsJsonObject().get("status").getAsString();
            if (name.contains("transformers")) {
                assertEquals("N/A", status, name + ": nothing to compare with");
            }
        });

        // A second bench reuses the checkpoints; a text prompt is padded to the asked length.
        CliRun again = CliRun.of("bench", "--shape", "tiny", "--dtypes", "f32", "--runs", "1", "--new-tokens", "2",
                "--prompt-tokens", "20", "--work", work.toString(), "--python", python, "--roofline-mb", "16",
                "--json", dir.resolve("text.json").toString());
        assertEquals(0, again.code(), again.err());
        assertTrue(again.err().contains("reused"), again.err());
        JsonObject t = JsonParser.parseString(Files.readString(dir.resolve("text.json"))).getAsJsonObject();
        JsonObject run = t.getAsJsonArray("models").get(0).getAsJsonObject().getAsJsonObject("java")
                .getAsJsonArray("runs").get(0).getAsJsonObject();
        assertEquals(20, run.get("prompt_tokens").getAsInt());
        assertEquals(0, run.get("images").getAsInt());
    }

    @Test
    void badSettingsAreOneLine() {
        CliRun r = CliRun.of("bench", "--dtypes", "f16", "--work", dir.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("error: ") && r.err().contains("f16"), r.err());
    }
}
