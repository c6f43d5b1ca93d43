package org.lvlmworkbench.core.compress.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.config.ConfigException;

/** The plan value: its JSON round trip, its validation, its undo history. */
class CompressionPlanTest {

    private static final String FP = "00aa11bb22cc33dd";

    /** A 6-layer decoder with q (64×64) and down (64×172) per layer, plus one vision q. */
    private static ModelShape shape() {
        List<ModelShape.Matrix> m = new ArrayList<>();
        m.add(new ModelShape.Matrix("vision.layers.0.self_attn.q_proj.weight", "vision", 0, "q", 48, 48));
        for (int i = 0; i < 6; i++) {
            m.add(new ModelShape.Matrix("lm.layers." + i + ".self_attn.q_proj.weight", "text", i, "q", 64, 64));
            m.add(new ModelShape.Matrix("lm.layers." + i + ".mlp.down_proj.weight", "text", i, "down", 64, 172));
        }
        return ModelShape.of(FP, 6, m);
    }

    private static CompressionPlan full() {
        return CompressionPlan.empty(FP).withCalibration(new Calibration("samples/shapes-eval/eval.jsonl", 32, "abc"))
                .withRank("lm.layers.0.self_attn.q_proj.weight", new MatrixRank(12, "svd-llm"))
                .withRank("vision.layers.0.self_attn.q_proj.weight", new MatrixRank(20, "asvd"))
                .withMerge(new MergeGroup(3, 4, MergeFormula.RDSC)).withDroppedLayer(5, true)
                .withDroppedAttention(1, true).withDroppedMlp(2, true);
    }

    @Test
    void jsonRoundTripsThroughAFile(@TempDir Path dir) throws Exception {
        CompressionPlan plan = full();
        plan.validate(shape());
        Path file = dir.resolve("plan.json");
        Files.writeString(file, plan.toJsonString());
        CompressionPlan back = CompressionPlan.read(file);
        assertEquals(plan, back);
        assertEquals(plan.toJsonString(), back.toJsonString());
        assertTrue(plan.toJsonString().contains("\"version\": 1"));
    }

    @Test
    void survivingLayersFollowMergesAndDrops() {
        assertEquals(List.of(0, 1, 2, 3), java.util.Arrays.stream(full().survivingLayers(6)).boxed().toList());
        assertTrue(full().keepsLayer(3));
        assertFalse(full().keepsLayer(4));
        assertFalse(full().keepsLayer(5));
        assertTrue(CompressionPlan.empty(FP).withMerge(new MergeGroup(2, 2, MergeFormula.RDSC)).isEmpty(),
                "a one-layer merge changes nothing");
    }

    private static void refused(CompressionPlan plan, String entry, String words) {
        PlanException e = assertThrows(PlanException.class, () -> plan.validate(shape()));
        assertEquals(entry, e.entry(), e.getMessage());
        assertTrue(e.getMessage().contains(words), e.getMessage());
    }

    @Test
    void invalidPlansAreRefusedNamingTheEntry() {
        CompressionPlan p = CompressionPlan.empty(FP);
        refused(CompressionPlan.empty("ffffffffffffffff"), "model_fingerprint", "made for model ffffffffffffffff");
        refused(p.withRank("lm.layers.0.self_attn.q_proj.weight", new MatrixRank(65, "plain")),
                "ranks['lm.layers.0.self_attn.q_proj.weight']", "outside 1..64");
        refused(p.withRank("lm.layers.0.nothing.weight", new MatrixRank(3, "plain")),
                "ranks['lm.layers.0.nothing.weight']", "no linear map");
        refused(p.withMerge(new MergeGroup(1, 3, MergeFormula.RDSC)).withMerge(new MergeGroup(3, 4, MergeFormula.RDSC)),
                "merges[1]", "overlaps");
        refused(p.withMerge(new MergeGroup(4, 6, MergeFormula.RDSC)), "merges[0]", "past the last decoder layer");
        refused(p.withMerge(new MergeGroup(1, 3, MergeFormula.RDSC)).withDroppedLayer(2, true), "drop_layers",
                "both dropped and in merge group");
        refused(p.withDroppedLayer(9, true), "drop_layers", "outside 0..5");
        refused(p.withDroppedLayer(2, true).withDroppedAttention(2, true), "drop_attention", "dropped whole");
        refused(p.withMerge(new MergeGroup(1, 2, MergeFormula.RDSC))
                .withRank("lm.layers.2.mlp.down_proj.weight", new MatrixRank(3, "plain")),
                "ranks['lm.layers.2.mlp.down_proj.weight']", "merged into layer 1");
        refused(p.withDroppedMlp(0, true).withRank("lm.layers.0.mlp.down_proj.weight", new MatrixRank(3, "plain")),
                "ranks['lm.layers.0.mlp.down_proj.weight']", "MLP of layer 0 is dropped");
        CompressionPlan all = p;
        for (int i = 0; i < 6; i++) {
            all = all.withDroppedLayer(i, true);
        }
        refused(all, "drop_layers", "removes all 6");
        assertThrows(PlanException.class, () -> new MatrixRank(4, "magic"));
        assertThrows(PlanException.class, () -> new MergeGroup(3, 2, MergeFormula.RDSC));
    }

    @Test
    void socoRanksCarryTheirTrainingAndRoundTrip(@TempDir Path dir) throws Exception {
        CompressionPlan p = CompressionPlan.empty(FP).withRank("lm.layers.0.self_attn.q_proj.weight",
                new MatrixRank(12, "soco"));
        refused(p, "soco", "trained for");
        CompressionPlan soco = p.withSoco(new SocoTarget(0.4,
                org.lvlmworkbench.core.compress.lowrank.SocoSettings.DEFAULTS.withSteps(17)));
        soco.validate(shape());
        Path file = dir.resolve("soco.json");
        Files.writeString(file, soco.toJsonString());
        assertEquals(soco, CompressionPlan.read(file));
        assertEquals(soco.soco(), CompressionPlan.read(file).withRank("lm.layers.1.self_attn.q_proj.weight",
                new MatrixRank(3, "plain")).soco(), "changes keep the SoCo target");
        Files.writeString(file, soco.toJsonString().replace("\"ratio\": 0.4", "\"ratio\": 1.4"));
        ConfigException bad = assertThrows(ConfigException.class, () -> CompressionPlan.read(file));
        assertTrue(bad.getMessage().contains("soco.ratio"), bad.getMessage());
    }

    @Test
    void malformedFilesNameTheFileAndField(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("plan.json");
        Files.writeString(file, full().toJsonString().replace("\"version\": 1", "\"version\": 7"));
        ConfigException v = assertThrows(ConfigException.class, () -> CompressionPlan.read(file));
        assertTrue(v.getMessage().contains("plan.json") && v.getMessage().contains("version"), v.getMessage());
        Files.writeString(file, full().toJsonString().replace("svd-llm", "svd-magic"));
        ConfigException m = assertThrows(ConfigException.class, () -> CompressionPlan.read(file));
        assertTrue(m.getMessage().contains("method") && m.getMessage().contains("svd-magic"), m.getMessage());
        Files.writeString(file, full().toJsonString().replace("\"rdsc\"", "\"average\""));
        ConfigException f = assertThrows(ConfigException.class, () -> CompressionPlan.read(file));
        assertTrue(f.getMessage().contains("merges[0]"), f.getMessage());
        Files.writeString(file, "{\"format\": \"something-else\"}");
        assertThrows(ConfigException.class, () -> CompressionPlan.read(file));
    }

    @Test
    void historyUndoesAndRedoes() {
        CompressionPlan a = CompressionPlan.empty(FP);
        CompressionPlan b = a.withDroppedLayer(2, true);
        CompressionPlan c = b.withDroppedLayer(3, true);
        PlanHistory h = new PlanHistory(a);
        h.push(b);
        h.push(c);
        h.push(c);
        assertEquals(b, h.undo());
        assertEquals(a, h.undo());
        assertFalse(h.canUndo());
        assertEquals(b, h.redo());
        h.push(a.withDroppedMlp(1, true));
        assertFalse(h.canRedo(), "a new change clears redo");
        assertEquals(b, h.undo());
    }
}
