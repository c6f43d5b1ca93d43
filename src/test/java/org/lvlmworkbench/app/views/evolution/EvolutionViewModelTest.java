package org.lvlmworkbench.app.views.evolution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.widgets.HeatmapData;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.core.analysis.ResultCache;
import org.lvlmworkbench.core.analysis.evolution.EvolutionResult;
import org.lvlmworkbench.core.analysis.evolution.ItemEvolution;
import org.lvlmworkbench.core.analysis.evolution.LayerPrediction;
import org.lvlmworkbench.core.analysis.evolution.LensMode;
import org.lvlmworkbench.core.analysis.evolution.PositionEvolution;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/** The Knowledge evolution view's state on the shipped sample and its first evaluation questions, without a UI toolkit. */
class EvolutionViewModelTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static ModelSession session;
    @TempDir
    static Path cacheDir;

    @BeforeAll
    static void open() throws Exception {
        session = new ModelSession(Runnable::run);
        Job<LoadedModel> job = session.openModel(SampleModel.defaultModel());
        assertTrue(job.await(Duration.ofSeconds(60)));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
    }

    @AfterAll
    static void close() {
        session.close();
    }

    private static EvolutionViewModel viewModel(int items) {
        return viewModel(items, cacheDir);
    }

    private static EvolutionViewModel viewModel(int items, Path cache) {
        EvolutionViewModel vm = new EvolutionViewModel(session, ShapesEvalSet.defaultFile(), new ResultCache(cache));
        vm.source.count.set(items);
        return vm;
    }

    private static <T> T finish(Job<T> job) throws InterruptedException {
        assertTrue(job.await(WAIT), "the run ends");
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
        return job.result();
    }

    @Test
    void itemsArriveOneByOneThenTheAggregate() throws Exception {
        EvolutionViewModel vm = viewModel(2);
        List<Integer> sizes = new ArrayList<>();
        List<Boolean> resultWhileArriving = new ArrayList<>();
        vm.items.addListener((ListChangeListener<ItemEvolution>) c -> {
            sizes.add(vm.items.size());
            resultWhileArriving.add(vm.result.get() != null);
        });
        assertFalse(vm.runDisabled.get(), "a model is open and nothing runs");
        EvolutionResult r = finish(vm.run());

        assertEquals(List.of(1, 2), sizes, "each item is shown as it finishes");
        assertEquals(List.of(false, false), resultWhileArriving, "the aggregate comes after the items");
        assertSame(vm.items.get(0), vm.selected.get(), "the first item is selected as soon as it arrives");
        assertTrue(EvolutionViewModel.itemText(vm.items.get(0)).startsWith("✓ how many shapes are there?"),
                EvolutionViewModel.itemText(vm.items.get(0)));
        assertSame(r, vm.result.get());
        assertEquals(9, vm.entries.get(), "embeddings and 8 blocks");
        assertEquals(5, vm.curves.get().size(), "median, quartiles, JS to the output, p(answer)");
        assertEquals(r.summary().stages().critical() >= 0 ? 1 : 0, vm.curveMarkers.get().stream()
                .filter(m -> m.label().startsWith("critical")).count());
        assertTrue(vm.aggregateText.get().contains("2 items, 2 of 2 right"), vm.aggregateText.get());
        assertEquals(2, vm.pca.get().points().size(), "one point per item");
        assertTrue(vm.pca.get().xLabel().startsWith("PC1 ("), vm.pca.get().xLabel());
        try (Stream<Path> files = Files.list(cacheDir)) {
            assertTrue(files.findAny().isPresent(), "the result is cached");
        }
    }

    @Test
    void theItemMapFollowsTheSelectionAndMarksTheStages() throws Exception {
        EvolutionViewModel vm = viewModel(2);
        finish(vm.run());
        ItemEvolution second = vm.items.get(1);
        vm.selected.set(second);

        HeatmapData map = vm.itemMap.get();
        assertEquals(second.positions().size(), map.rows(), "one row per followed position (the answer's tokens)");
        assertEquals(8, map.cols(), "one column per layer transition");
        assertEquals("emb→0", map.columnLabels().get(0));
        assertEquals("JS divergence", map.valueLabel());
        assertEquals("bits", map.unit());
        PositionEvolution first = second.positions().get(0);
        assertArrayEquals(first.jsNext(), map.values()[0]);
        assertTrue(map.rowLabels().get(0).startsWith("answer 1: ‘"), map.rowLabels().get(0));
        assertEquals(second.run().answer().strip(), map.rowLabels().get(0).replaceAll("^answer 1: ‘(.*)’$", "$1"));
        List<HeatmapView.Mark> marksOfFirstRow = map.marks().stream().filter(m -> m.row() == 0).toList();
        if (first.stages().critical() >= 0) {
            assertTrue(marksOfFirstRow.contains(new HeatmapView.Mark(0, first.stages().critical(),
                    "critical: stable from here", false)), marksOfFirstRow.toString());
        }
        assertTrue(vm.itemCaption.get().contains(second.run().item().prompt()), vm.itemCaption.get());

        vm.cellMode.set(EvolutionViewModel.CellMode.PROBABILITY);
        HeatmapData probabilities = vm.itemMap.get();
        assertEquals(9, probabilities.cols(), "one column per lens entry");
        assertEquals("embeddings", probabilities.columnLabels().get(0));
        assertEquals(first.layers().get(8).emittedProb(), probabilities.values()[0][8]);
    }

    @Test
    void clickingACellShowsThatLayersTopTokens() throws Exception {
        EvolutionViewModel vm = viewModel(2);
        finish(vm.run());
        ItemEvolution item = vm.selected.get();
        PositionEvolution answer = item.positions().get(0);
        assertEquals(EvolutionViewModel.PICK_A_CELL, vm.cellTitle.get());

        vm.selectCell(0, 3); // transition 2→3 arrives at block 3, entry 4
        LayerPrediction block3 = answer.layers().get(4);
        assertEquals(List.of(block3.topTexts()), vm.topTokens.stream().map(EvolutionViewModel.TopToken::text).toList());
        assertEquals(block3.topProbs()[0], vm.topTokens.get(0).probability());
        assertTrue(vm.cellTitle.get().contains("block 3") && vm.cellTitle.get().contains("transition 2→3"),
                vm.cellTitle.get());
        assertTrue(vm.cellSummary.get().contains("rank " + block3.emittedRank()), vm.cellSummary.get());
        assertArrayEquals(new int[] {0, 3}, vm.selectedCell());

        vm.cellMode.set(EvolutionViewModel.CellMode.PROBABILITY);
        assertNull(vm.selectedCell(), "another mode, another matrix: the detail resets");
        vm.selectCell(0, 8); // the model's own output
        LayerPrediction output = answer.layers().get(8);
        assertEquals(output.topTexts()[0], vm.topTokens.get(0).text());
        assertEquals("emitted, expected", vm.topTokens.get(0).role(), "greedy emits the output's top token, "
                + "and the sample answers this question right");
        assertTrue(vm.cellTitle.get().contains("the model's output"), vm.cellTitle.get());
    }

    @Test
    void aSecondRunWithTheSameSettingsComesFromTheCache(@TempDir Path emptyCache) throws Exception {
        EvolutionViewModel vm = viewModel(2, emptyCache);
        long start = System.nanoTime();
        EvolutionResult first = finish(vm.run());
        double computed = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        EvolutionResult again = finish(vm.run());
        double cached = (System.nanoTime() - start) / 1e9;

        assertEquals(2, vm.items.size(), "the cached items are replayed into the list");
        assertEquals(first.items().get(0).run().answer(), again.items().get(0).run().answer());
        assertArrayEquals(first.summary().medianJsNext(), again.summary().medianJsNext());
        assertTrue(cached < computed, "cached " + cached + " s, computed " + computed + " s");
    }

    @Test
    void promptPositionsAndTheLensReRunTheAnalysis() throws Exception {
        EvolutionViewModel vm = viewModel(1);
        finish(vm.run());
        Job<EvolutionResult> before = vm.lastRun();
        vm.promptPositions.set(true);
        assertFalse(before == vm.lastRun(), "ticking the box starts a run");
        EvolutionResult r = finish(vm.lastRun());
        assertTrue(r.settings().promptPositions());
        List<String> rows = vm.itemMap.get().rowLabels();
        assertTrue(rows.stream().anyMatch(l -> l.equals("‘how’ → ‘many’")), rows.toString());
        assertTrue(rows.stream().anyMatch(l -> l.startsWith("answer 1: ")), rows.toString());

        vm.lens.set(LensMode.RAW);
        EvolutionResult raw = finish(vm.lastRun());
        assertEquals(LensMode.RAW, raw.settings().lens());
        assertTrue(vm.aggregateText.get().contains("paper reproduction"), vm.aggregateText.get());
        assertEquals("raw (paper reproduction)", EvolutionController.lensName(LensMode.RAW));
    }

    @Test
    void cancelKeepsTheItemsThatFinished() throws Exception {
        EvolutionViewModel vm = viewModel(40);
        vm.promptPositions.set(true); // other settings than the other tests, so nothing comes from the cache
        vm.items.addListener((ListChangeListener<ItemEvolution>) c -> {
            if (vm.items.size() == 1) {
                session.cancel();
            }
        });
        Job<EvolutionResult> job = vm.run();
        assertTrue(job.await(WAIT));
        assertEquals(Job.State.CANCELLED, job.state());
        assertTrue(vm.items.size() >= 1 && vm.items.size() < 40, vm.items.size() + " items");
        assertNull(vm.result.get(), "no aggregate for a cancelled run");
        assertTrue(session.statusProperty().get().endsWith("cancelled"), session.statusProperty().get());
    }
}
