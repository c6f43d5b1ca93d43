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
        // The plan was calibrated on the first 4 items of the same file: it is scored on the next 6.
        assertTrue(evaluated.out().contains("6 of 6 items (items 5–10, after the 4 calibration items)"), evaluated.out());
        assertTrue(Files.readString(json).contains("\"agreement\""));
    }

    @Test
    void adaptivePruningAtAShareFitsItsMassOnTheCalibrationItems(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("adaptive.json");
        CliRun made = CliRun.of("plan", "--prune", "adaptive:2:share=0.5:2", "--calibration-items", "4", "--out",
                plan.toString());
        assertEquals(0, made.code(), made.err());
        assertTrue(made.out().contains("adaptive pruning before layer 2: attention mass "), made.out());
        assertTrue(made.out().contains("of the image tokens on average over 4 calibration items"), made.out());
        VisualTokenPruning.Adaptive stage = (VisualTokenPruning.Adaptive) CompressionPlan.read(plan).tokenPruning()
                .stages().get(0);
        assertEquals(2, stage.layer());
        assertEquals(2, stage.minKeep());
        assertTrue(stage.mass() > 0 && stage.mass() < 1, "a fitted mass, not the share: " + stage.mass());
        CliRun share = CliRun.of("plan", "--prune", "adaptive:2:share=1.5", "--out", dir.resolve("bad.json").toString());
        assertTrue(share.code() != 0 && share.err().contains("[0, 1)"), share.err());
        assertFalse(share.err().contains("attention of item"), "refused before any item runs: " + share.err());
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
