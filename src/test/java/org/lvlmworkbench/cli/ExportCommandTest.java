package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.compress.export.ModelExporter;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;

/** {@code plan} then {@code export} on the shipped sample, as a user runs them; and the refusals, by name. */
class ExportCommandTest {

    @Test
    void planThenExportThenReopen(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("plan.json");
        CliRun made = CliRun.of("plan", "--ratio", "0.3", "--method", "asvd", "--drop", "1", "--prune", "fastv:2:0.5",
                "--calibration-items", "4", "--out", plan.toString());
        assertEquals(0, made.code(), made.err());
        Path out = dir.resolve("compressed");
        CliRun exported = CliRun.of("export", "--plan", plan.toString(), "--out", out.toString(), "--dtype", "f16");
        assertEquals(0, exported.code(), exported.err());
        assertTrue(exported.out().contains("trust_remote_code=True"), exported.out());
        assertTrue(Files.isRegularFile(out.resolve(ModelExporter.MODELING_FILE)));
        assertEquals(CompressionPlan.read(plan), CompressionPlan.read(out.resolve(ModelExporter.PLAN_FILE)));
        try (LoadedModel m = ModelLoader.load(out); Checkpoint ck = Checkpoint.open(out)) {
            assertEquals(7, m.model().decoder().numLayers());
            assertEquals(VisualTokenPruning.fastV(2, 0.5), m.model().pruning());
            assertTrue(ck.names().stream().allMatch(n -> ck.entry(n).dtype() == DType.F16));
            assertTrue(ck.names().stream().anyMatch(n -> n.endsWith(".down.weight")));
        }

        CliRun again = CliRun.of("export", "--plan", plan.toString(), "--out", out.toString());
        assertTrue(again.code() != 0);
        assertTrue(again.err().contains("already exists") && again.err().contains("--force"), again.err());
        CliRun dense = CliRun.of("export", "--plan", plan.toString(), "--out", out.toString(), "--dense", "--force");
        assertEquals(0, dense.code(), dense.err());
        try (Checkpoint ck = Checkpoint.open(out)) {
            assertTrue(ck.names().stream().noneMatch(n -> n.endsWith(".down.weight")), "multiplied back");
            assertTrue(ck.names().stream().allMatch(n -> ck.entry(n).dtype() == DType.BF16), "bf16 by default");
        }
    }

    @Test
    void aPlanForAnotherModelAndBadOptionsAreRefusedByNameAndNothingIsWritten(@TempDir Path dir) throws Exception {
        Path foreign = dir.resolve("foreign.json");
        Files.writeString(foreign, CompressionPlan.empty("ffffffffffffffff").toJsonString());
        Path out = dir.resolve("out");
        CliRun other = CliRun.of("export", "--plan", foreign.toString(), "--out", out.toString());
        assertTrue(other.code() != 0);
        assertTrue(other.err().contains(foreign.toString()) && other.err().contains("model_fingerprint")
                && other.err().contains("made for model ffffffffffffffff"), other.err());
        assertFalse(Files.exists(out));

        Path broken = dir.resolve("broken.json");
        Files.writeString(broken, "{\"format\": \"lvlm-workbench/compression-plan\", \"version\": 1, "
                + "\"model_fingerprint\": \"x\", \"ranks\": {\"a\": {\"rank\": 3, \"method\": \"magic\"}}}");
        CliRun bad = CliRun.of("export", "--plan", broken.toString(), "--out", out.toString());
        assertTrue(bad.code() != 0);
        assertTrue(bad.err().contains("broken.json") && bad.err().contains("method"), bad.err());

        CliRun dtype = CliRun.of("export", "--plan", foreign.toString(), "--out", out.toString(), "--dtype", "int8");
        assertTrue(dtype.code() != 0);
        assertTrue(dtype.err().contains("--dtype"), dtype.err());
        assertFalse(Files.exists(out));
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "only the two plan files");
        }
    }
}
