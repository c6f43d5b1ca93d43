package org.lvlmworkbench.core.compress.depth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.compress.apply.PlanApplier;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.testing.TinyModels;

/** Depth scores, ShortGPT and LLM-Drop choices, and SLM's window search on the shipped sample. */
class DepthCompressionTest {

    private static LoadedModel model;
    private static List<ProbeItem> items;
    private static CompressionPlan empty;

    @BeforeAll
    static void load() {
        model = TinyModels.load(Path.of("samples/llava-shapes"));
        items = ProbeSet.fromEvalFile(Path.of("samples/shapes-eval/eval.jsonl"), 3).items();
        empty = CompressionPlan.empty(PlanApplier.shapeOf(model).fingerprint());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void scoresAreCosineDistancesAndDropsTakeTheLowest() {
        DepthScores all = DepthScores.measure(model, items, TokenSelection.ALL, Progress.NONE);
        DepthScores text = DepthScores.measure(model, items, TokenSelection.TEXT, Progress.NONE);
        assertEquals(8, all.layers());
        for (double[] s : List.of(all.blockInfluence(), all.attentionImportance(), all.mlpImportance())) {
            for (double v : s) {
                assertTrue(v >= 0 && v <= 2, "1 − cos lies in [0, 2], got " + v);
            }
        }
        assertTrue(!java.util.Arrays.equals(all.blockInfluence(), text.blockInfluence()), "token selection matters");
        CompressionPlan two = LayerDrops.shortGpt(empty, all, 2);
        double[] bi = all.blockInfluence();
        int[] order = IntStream.range(0, 8).boxed().sorted((a, b) -> Double.compare(bi[a], bi[b])).mapToInt(i -> i).toArray();
        assertEquals(java.util.Set.of(order[0], order[1]), two.droppedLayers());
        CompressionPlan attention = LayerDrops.dropAttention(two, all, 3);
        assertEquals(3, attention.droppedAttention().size());
        assertTrue(attention.droppedAttention().stream().noneMatch(two.droppedLayers()::contains),
                "a dropped block is not a candidate again");
        double worstKept = IntStream.range(0, 8).filter(l -> !two.droppedLayers().contains(l)
                && !attention.droppedAttention().contains(l)).mapToDouble(l -> all.attentionImportance()[l]).min().orElseThrow();
        for (int l : attention.droppedAttention()) {
            assertTrue(all.attentionImportance()[l] <= worstKept);
        }
        assertThrows(IllegalArgumentException.class, () -> LayerDrops.shortGpt(empty, all, 8));
    }

    @Test
    void slmCommitsOnlyWindowsAboveTheThreshold() {
        List<ProbeItem> items = DepthCompressionTest.items.subList(0, 2);
        SlidingWindowMerge.Result none = SlidingWindowMerge.search(model, empty, items, 0.99999, TokenSelection.ALL,
                MergeFormula.RDSC, Progress.NONE);
        assertEquals(List.of(), none.plan().merges(), "nothing stays that close");
        SlidingWindowMerge.Result everything = SlidingWindowMerge.search(model, empty, items, -0.999, TokenSelection.ALL,
                MergeFormula.RDSC, Progress.NONE);
        assertEquals(List.of(new MergeGroup(0, 6, MergeFormula.RDSC)), everything.plan().merges(),
                "every window is accepted: layers 0..L−2 become one, the last layer stays");
        SlidingWindowMerge.Result middle = SlidingWindowMerge.search(model, empty, items, 0.9, TokenSelection.ALL,
                MergeFormula.RDSC, Progress.NONE);
        for (MergeGroup g : middle.plan().merges()) {
            SlidingWindowMerge.Step accepted = middle.steps().stream()
                    .filter(s -> s.low() == g.first() && s.high() == g.last()).findFirst().orElseThrow();
            assertTrue(accepted.accepted() && accepted.similarity() > 0.9, accepted.toString());
            assertTrue(g.last() <= 6, "the last layer is never merged");
        }
        assertTrue(middle.steps().stream().anyMatch(s -> !s.accepted()), "some window was refused at 0.9");
    }
}
