package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/** {@code plan} then {@code evaluate} on the shipped sample, as a user runs them; and their refusals. */
class PlanCommandTest {

    @Test
    void planThenEvaluate(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("plan.json");
        CliRun made = CliRun.of("plan", "--ratio", "0.3", "--method", "asvd", "--allocate", "energy", "--drop", "1",
                "--prune", "fastv:2:0.5", "--calibration-items", "4", "--out", plan.toString());
        assertEquals(0, made.code(), made.err());
        CompressionPlan p = CompressionPlan.read(plan);
        assertEquals(1, p.droppedLayers().size());
        assertFalse(p.ranks().isEmpty());
        assertTrue(p.ranks().values().stream().allMatch(r -> r.method().equals("asvd")));
        assertEquals(VisualTokenPruning.fastV(2, 0.5), p.tokenPruning());
        assertTrue(made.out().contains("wrote " + plan), made.out());

        Path json = dir.resolve("summary.json");
        CliRun evaluated = CliRun.of("evaluate", "--plan", plan.toString(), "--items", "6", "--json", json.toString());
        assertEquals(0, evaluated.code(), evaluated.err());
        assertTrue(evaluated.out().contains("agreement") && evaluated.out().contains("FLOPs prefill"), evaluated.out());
        assertTrue(Files.readString(json).contains("\"agreement\""));
    }

    @Test
    void badPlansAndSpecsAreRefusedByName(@TempDir Path dir) throws Exception {
        CliRun spec = CliRun.of("plan", "--prune", "fastv:2", "--out", dir.resolve("p.json").toString());
        assertTrue(spec.code() != 0, "a malformed --prune is refused");
        assertTrue(spec.err().contains("fastv:K:R"), spec.err());
        assertFalse(Files.exists(dir.resolve("p.json")), "nothing written on a refusal");
        Path foreign = dir.resolve("foreign.json");
        Files.writeString(foreign, CompressionPlan.empty("ffffffffffffffff").toJsonString());
        CliRun other = CliRun.of("evaluate", "--plan", foreign.toString(), "--items", "2");
        assertTrue(other.code() != 0);
        assertTrue(other.err().contains("model_fingerprint") && other.err().contains("made for model ffffffffffffffff"),
                other.err());
    }
}
