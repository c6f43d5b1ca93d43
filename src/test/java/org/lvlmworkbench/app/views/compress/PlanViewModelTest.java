package org.lvlmworkbench.app.views.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.session.CompressionSession.ModelSizes;
import org.lvlmworkbench.app.widgets.ParetoFrontier;
import org.lvlmworkbench.core.compress.evaluate.AnswerRun;
import org.lvlmworkbench.core.compress.evaluate.FlopCount;
import org.lvlmworkbench.core.compress.evaluate.ItemResult;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/** The Plan view's arithmetic without a toolkit: plan lines and their removal, the metrics rows, the frontier. */
class PlanViewModelTest {

    private static final String Q1 = "model.layers.1.self_attn.q_proj.weight";
    private static final String Q2 = "model.layers.2.self_attn.q_proj.weight";
    private static final String DOWN2 = "model.layers.2.mlp.down_proj.weight";
    private static final ModelShape SHAPE = ModelShape.of("fp", 8, List.of(
            new ModelShape.Matrix(Q1, "text", 1, "q", 96, 96),
            new ModelShape.Matrix(Q2, "text", 2, "q", 96, 96),
            new ModelShape.Matrix(DOWN2, "text", 2, "down", 96, 256)));

    private static CompressionPlan plan() {
        return CompressionPlan.empty("fp").withRank(Q2, new MatrixRank(12, "svd-llm"))
                .withRank(Q1, new MatrixRank(24, "plain")).withRank(DOWN2, new MatrixRank(30, "asvd"))
                .withMerge(new MergeGroup(4, 6, MergeFormula.RDSC)).withDroppedLayer(7, true)
                .withDroppedAttention(3, true).withDroppedMlp(1, true)
                .withTokenPruning(VisualTokenPruning.schedule(new int[] {2, 5}, new double[] {0.5, 0.25}));
    }

    @Test
    void everyChoiceIsListedInGroupsByRoleAndLayer() {
        List<PlanEntries.Group> groups = PlanEntries.of(plan(), SHAPE);
        assertEquals(List.of("Low rank · decoder q (2)", "Low rank · decoder down (1)", "Merged layers (1)",
                "Dropped blocks (1)", "Dropped attention (1)", "Dropped MLP (1)", "Visual-token pruning (2 stages)"),
                groups.stream().map(PlanEntries.Group::title).toList());
        PlanEntries.Group q = groups.get(0);
        assertEquals(List.of("layer 1: rank 24/96 (plain, 50 %)", "layer 2: rank 12/96 (svd-llm, 25 %)"),
                q.entries().stream().map(PlanEntries.Entry::text).toList(), "layers go up within a role");
        assertTrue(q.entries().get(1).detail().contains("12×(96 + 96) = 2,304 numbers instead of 9,216"));
        assertEquals("layers 4..6 → one layer · RDSC", groups.get(2).entries().get(0).text());
        assertTrue(PlanEntries.formula(MergeFormula.COPY_TOP).contains("published"),
                "the published code's behaviour is labelled as such");
        assertEquals("3 ranks · 1 merge · 1 dropped block · 2 dropped sub-layers · 2 pruning stages",
                PlanEntries.summary(plan()));
        assertEquals("No changes: the original model.", PlanEntries.summary(CompressionPlan.empty("fp")));
    }

    @Test
    void eachLineAndEachGroupRemovesExactlyItsChoices() {
        CompressionPlan p = plan();
        List<PlanEntries.Group> groups = PlanEntries.of(p, SHAPE);
        assertEquals(p.withoutRank(Q2), groups.get(0).entries().get(1).removal().apply(p));
        assertEquals(p.withoutRank(Q1).withoutRank(Q2), groups.get(0).removeFrom(p));
        assertEquals(p.withoutMerge(new MergeGroup(4, 6, MergeFormula.RDSC)), groups.get(2).removeFrom(p));
        assertEquals(p.withDroppedLayer(7, false), groups.get(3).removeFrom(p));
        assertEquals(p.withDroppedAttention(3, false), groups.get(4).removeFrom(p));
        assertEquals(p.withDroppedMlp(1, false), groups.get(5).removeFrom(p));
        CompressionPlan lessPruning = groups.get(6).entries().get(0).removal().apply(p);
        assertEquals(1, lessPruning.tokenPruning().stages().size());
        assertEquals(5, lessPruning.tokenPruning().stages().get(0).layer());
        assertTrue(groups.get(6).removeFrom(p).tokenPruning().isNone());
        CompressionPlan emptied = p;
        for (PlanEntries.Group g : groups) {
            emptied = g.removeFrom(emptied);
        }
        assertTrue(emptied.isEmpty(), "removing every group leaves the original model");
    }

    private static ItemResult item(int index, String type, boolean refOk, boolean candOk, double kl, long prefillMs) {
        FlopCount flops = new FlopCount(1000, 200, 50, Map.of("text", 1250L));
        AnswerRun ref = new AnswerRun("a", 2, 10_000_000, 4_000_000, 2, flops, 500);
        AnswerRun cand = new AnswerRun(candOk ? "a" : "b", 2, prefillMs * 1_000_000, 2_000_000, 2,
                new FlopCount(600, 200, 50, Map.of("text", 850L)), 300);
        return new ItemResult(index, type, "q" + index, "a", ref, cand, refOk, candOk, refOk == candOk, kl, false);
    }

    private static String cell(List<PlanMetrics.Row> rows, String metric, int column) {
        PlanMetrics.Row r = rows.stream().filter(x -> x.metric().equals(metric)).findFirst().orElseThrow();
        return List.of(r.original(), r.compressed(), r.change()).get(column);
    }

    @Test
    void metricsFillInFromTheItemsFinishedSoFar() {
        List<ItemResult> items = List.of(item(0, "color", true, true, 0.1, 100), item(1, "color", true, false, 0.3, 6),
                item(2, "count", true, true, 0.2, 8));
        ModelSizes original = new ModelSizes(1000, Map.of("vision", 400L, "layers", 600L));
        ModelSizes compressed = new ModelSizes(750, Map.of("vision", 400L, "layers", 350L));
        List<PlanMetrics.Row> rows = PlanMetrics.rows(items, 32, original, compressed, 12.5, 0.031, null);
        assertEquals("3 of 32", cell(rows, "items evaluated", 1));
        assertEquals("3/3 · 100 %", cell(rows, "accuracy", 0));
        assertEquals("2/3 · 66.7 %", cell(rows, "accuracy", 1));
        assertEquals("−33.3 pt", cell(rows, "accuracy", 2));
        assertEquals("1/2 · 50 %", cell(rows, "color", 1));
        assertTrue(rows.stream().filter(r -> r.metric().equals("color")).findFirst().orElseThrow().sub());
        assertEquals("66.7 %", cell(rows, "agreement", 1));
        assertEquals("0.2000", cell(rows, "mean KL (nats)", 1));
        assertEquals("12.50", cell(rows, "predicted loss", 1));
        assertEquals("3.10 %", cell(rows, "predicted loss", 2));
        assertEquals("1,000", cell(rows, "parameters", 0));
        assertEquals("−25.0 %", cell(rows, "parameters", 2));
        assertEquals("−41.7 %", cell(rows, "layers", 2));
        assertEquals("", cell(rows, "vision", 2).replace("0.0 %", ""), "no change, no sign");
        assertEquals("1.25 k", cell(rows, "FLOPs, prefill", 0));
        assertEquals("850", cell(rows, "FLOPs, prefill", 1));
        assertEquals("250", cell(rows, "FLOPs per decode token", 0), "500 over 2 steps");
        // The first item warms the engine up and stays out of the medians: (6 + 8) / 2.
        assertEquals("7.0 ms", cell(rows, "prefill, median", 1));
        assertEquals("1.0 ms", cell(rows, "decode / token, median", 1));

        List<PlanMetrics.Row> none = PlanMetrics.rows(List.of(), 32, null, null, null, null, null);
        assertEquals("—", cell(none, "accuracy", 1));
        assertEquals("—", cell(none, "parameters", 1));
        assertEquals("—", cell(none, "predicted loss", 1));
    }

    @Test
    void theFrontierKeepsWhatNothingBeatsOnCostAndAccuracy() {
        double[] params = {100, 80, 80, 60, 90, 40, 60};
        double[] accuracy = {99, 97, 95, 90, 96, 70, 90};
        // 2 loses to 1 (same cost, less accurate), 4 to 1 (dearer, less accurate); 6 equals 3, which stands for both.
        assertArrayEquals(new int[] {5, 3, 1, 0}, ParetoFrontier.of(params, accuracy));
        assertTrue(ParetoFrontier.contains(ParetoFrontier.of(params, accuracy), 3));
        assertFalse(ParetoFrontier.contains(ParetoFrontier.of(params, accuracy), 6));
        assertArrayEquals(new int[] {1}, ParetoFrontier.of(new double[] {Double.NaN, 5}, new double[] {1, 2}),
                "points without a value are left out");
        assertArrayEquals(new int[0], ParetoFrontier.of(new double[0], new double[0]));
    }
}
