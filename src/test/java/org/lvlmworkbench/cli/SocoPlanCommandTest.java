package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;

/**
 * {@code plan --method soco} then {@code evaluate} on the sample: the plan carries what its scores were
 * trained for, and {@code evaluate}, a new session, trains them again to apply it. (The engine runs on
 * one thread when this class starts it; see {@code SocoCompressorTest}.)
 */
class SocoPlanCommandTest {

    static {
        if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
        }
    }

    @Test
    void socoPlanThenEvaluate(@TempDir Path dir) throws Exception {
        Path plan = dir.resolve("soco.json");
        CliRun made = CliRun.of("plan", "--method", "soco", "--ratio", "0.4", "--soco-steps", "12",
                "--calibration-items", "4", "--out", plan.toString());
        assertEquals(0, made.code(), made.err());
        assertTrue(made.out().contains("low rank: soco") && made.out().contains("components kept out of sigma order"),
                made.out());
        CompressionPlan p = CompressionPlan.read(plan);
        assertTrue(p.ranks().size() == 56 && p.ranks().values().stream().allMatch(r -> r.method().equals("soco")));
        assertNotNull(p.soco());
        assertEquals(12, p.soco().settings().steps());
        CliRun evaluated = CliRun.of("evaluate", "--plan", plan.toString(), "--items", "4");
        assertEquals(0, evaluated.code(), evaluated.err());
        assertTrue(evaluated.out().contains("agreement"), evaluated.out());
    }
}
