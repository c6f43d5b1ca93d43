package org.lvlmworkbench.app.views.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javafx.beans.property.SimpleObjectProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.compress.depth.DepthScores;
import org.lvlmworkbench.core.compress.depth.SlidingWindowMerge;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/**
 * The Layer similarity view's depth controls without a toolkit, on the sample: a range picked on the CKA
 * map's labels becomes decoder layers, merges and drops go into the plan, scores fill the layer rows,
 * and the ShortGPT and SLM suggestions add to the plan.
 */
class DepthViewModelTest {

    private static final Duration WAIT = Duration.ofSeconds(180);
    private static final ExecutorService UI = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-ui"));
    private static ModelSession session;
    private static CompressionSession compression;
    private static DepthViewModel vm;

    @BeforeAll
    static void open() throws Exception {
        session = new ModelSession(UI);
        assertTrue(on(() -> session.openModel(SampleModel.defaultModel())).await(WAIT));
        on(() -> {
            compression = new CompressionSession(session, ShapesEvalSet.defaultFile());
            compression.calibrationItems.set(2);
            compression.evaluationItems.set(1);
            vm = new DepthViewModel(compression, new SimpleObjectProperty<>(TokenSelection.ALL));
            return compression.prepare();
        }).await(WAIT);
    }

    @AfterAll
    static void close() {
        session.close();
        UI.shutdownNow();
    }

    private static <T> T on(Callable<T> call) throws Exception {
        return UI.submit(call).get(60, TimeUnit.SECONDS);
    }

    private static void emptyPlan() throws Exception {
        on(() -> compression.push(compression.plan().withRanks(Map.of()).withoutDepthChanges()));
    }

    private static <T> T finish(Job<T> job) throws Exception {
        assertTrue(job.await(WAIT));
        assertEquals(Job.State.SUCCEEDED, job.state(), on(() -> session.statusProperty().get()));
        return job.result();
    }

    @Test
    void aRangeOnTheMapNamesDecoderLayers() throws Exception {
        List<String> labels = List.of("embeddings", "block 0", "block 1", "block 2", "block 3");
        assertEquals(-1, DepthViewModel.blockOf("embeddings"));
        assertEquals(12, DepthViewModel.blockOf("block 12"));
        on(() -> {
            vm.selectRange(labels, 4, 2);
            return null;
        });
        assertEquals(1, on(() -> vm.mergeFirst.get()));
        assertEquals(3, on(() -> vm.mergeLast.get()));
        assertEquals("Merge layers 1..3", on(() -> vm.mergeText.get()));
        assertFalse(on(() -> vm.mergeDisabled.get()));
        on(() -> {
            vm.selectRange(labels, 0, 1); // the embeddings are no layer: block 0 alone is no range
            return null;
        });
        assertEquals(0, on(() -> vm.mergeFirst.get()));
        assertTrue(on(() -> vm.mergeDisabled.get()));
    }

    @Test
    void mergesAndDropsGoIntoThePlanAndTheRows() throws Exception {
        emptyPlan();
        on(() -> {
            vm.mergeFirst.set(2);
            vm.mergeLast.set(4);
            vm.merge();
            vm.setDropAttention(6, true);
            vm.setDropMlp(5, true);
            vm.setDropBlock(5, true);
            return null;
        });
        CompressionPlan plan = on(compression::plan);
        assertEquals(List.of(new MergeGroup(2, 4, MergeFormula.RDSC)), plan.merges());
        assertEquals(Set.of(5), plan.droppedLayers());
        assertTrue(plan.droppedMlp().isEmpty(), "dropping the block takes back its MLP drop");
        assertEquals(Set.of(6), plan.droppedAttention());
        List<DepthViewModel.LayerRow> rows = on(() -> List.copyOf(vm.layers));
        assertEquals(8, rows.size());
        assertEquals("merged 2..4", rows.get(3).mergeText());
        assertTrue(rows.get(5).droppedBlock());
        assertTrue(rows.get(6).droppedAttention());
        // A merge over a dropped block is refused, naming why; the plan stays.
        on(() -> {
            vm.mergeFirst.set(5);
            vm.mergeLast.set(7);
            vm.merge();
            return null;
        });
        assertEquals(plan, on(compression::plan));
        String notice = on(() -> compression.noticeProperty().get());
        assertTrue(notice.startsWith("The plan was not changed: drop_layers: layer 5 is both dropped and in merge group"),
                notice);
    }

    @Test
    void scoresFillTheRowsAndTheSuggestionsAddToThePlan() throws Exception {
        emptyPlan();
        DepthScores scores = finish(on(vm::measureScores));
        List<DepthViewModel.LayerRow> rows = on(() -> List.copyOf(vm.layers));
        assertEquals(scores.blockInfluence()[3], rows.get(3).blockInfluence());
        assertEquals(scores.mlpImportance()[7], rows.get(7).mlpImportance());
        assertTrue(on(() -> vm.scoresCaption.get()).startsWith("1 − cos on 2 calibration items"));

        on(() -> {
            vm.dropCount.set(2);
            return null;
        });
        finish(on(vm::suggestShortGpt));
        Set<Integer> lowest = rows.stream().sorted(Comparator.comparingDouble(DepthViewModel.LayerRow::blockInfluence))
                .limit(2).map(DepthViewModel.LayerRow::layer).collect(Collectors.toSet());
        assertEquals(lowest, on(() -> compression.plan().droppedLayers()));
        assertTrue(on(() -> vm.suggestionText.get()).startsWith("ShortGPT"));

        emptyPlan();
        on(() -> {
            vm.slmThreshold.set(0.5);
            return null;
        });
        SlidingWindowMerge.Result r = finish(on(vm::suggestSlm));
        assertFalse(r.steps().isEmpty());
        assertEquals(r.plan().merges(), on(() -> compression.plan().merges()));
        assertTrue(on(() -> vm.suggestionText.get()).startsWith("SLM at 0.50"), on(() -> vm.suggestionText.get()));
        on(() -> compression.cancelEvaluation());
    }
}
