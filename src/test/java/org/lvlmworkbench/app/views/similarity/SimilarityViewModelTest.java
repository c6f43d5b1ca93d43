package org.lvlmworkbench.app.views.similarity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.widgets.HeatmapData;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.Numbers;
import org.lvlmworkbench.core.analysis.ResultCache;
import org.lvlmworkbench.core.analysis.similarity.CkaKernel;
import org.lvlmworkbench.core.analysis.similarity.CkaMatrix;
import org.lvlmworkbench.core.analysis.similarity.LayerInfluence;
import org.lvlmworkbench.core.analysis.similarity.SimilarityResult;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/** The Layer similarity view's state on the shipped sample, without a UI toolkit: one run, every matrix. */
class SimilarityViewModelTest {

    private static ModelSession session;
    private static SimilarityViewModel vm;
    private static SimilarityResult result;
    private static double computedSeconds;

    @BeforeAll
    static void runOnce(@TempDir Path cache) throws Exception {
        session = new ModelSession(Runnable::run);
        Job<LoadedModel> open = session.openModel(SampleModel.defaultModel());
        assertTrue(open.await(Duration.ofSeconds(60)));
        assertEquals(Job.State.SUCCEEDED, open.state(), session.statusProperty().get());
        vm = new SimilarityViewModel(session, ShapesEvalSet.defaultFile(), new ResultCache(cache));
        vm.source.count.set(3);
        assertEquals(HeatmapData.EMPTY, vm.matrix.get(), "nothing before a run");
        long start = System.nanoTime();
        Job<SimilarityResult> job = vm.run();
        assertTrue(job.await(Duration.ofSeconds(120)));
        computedSeconds = (System.nanoTime() - start) / 1e9;
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
        result = job.result();
    }

    @AfterAll
    static void close() {
        session.close();
    }

    private static void show(String tower, TokenSelection tokens, CkaKernel kernel) {
        vm.tower.set(tower);
        vm.tokens.set(tokens);
        vm.kernel.set(kernel);
    }

    @Test
    void theSelectorsPickTheMatrixShown() {
        show(SimilarityViewModel.TEXT, TokenSelection.ALL, CkaKernel.LINEAR);
        HeatmapData linear = vm.matrix.get();
        CkaMatrix expected = result.matrix("text", TokenSelection.ALL, CkaKernel.LINEAR);
        assertEquals(9, linear.rows(), "embeddings and 8 decoder blocks");
        assertEquals(expected.labels(), linear.rowLabels());
        assertArrayEquals(expected.values()[2], linear.values()[2]);
        assertEquals("CKA", linear.valueLabel());
        assertEquals(0, linear.range().min());
        assertEquals(1, linear.range().max());
        assertTrue(vm.matrixCaption.get().startsWith("CKA (linear, unbiased) between the text layers · all tokens"),
                vm.matrixCaption.get());

        vm.kernel.set(CkaKernel.RBF);
        assertArrayEquals(result.matrix("text", TokenSelection.ALL, CkaKernel.RBF).values()[2], vm.matrix.get().values()[2]);
        assertFalse(java.util.Arrays.equals(linear.values()[2], vm.matrix.get().values()[2]), "another kernel, other values");

        vm.tokens.set(TokenSelection.IMAGE);
        assertArrayEquals(result.matrix("text", TokenSelection.IMAGE, CkaKernel.RBF).values()[1],
                vm.matrix.get().values()[1]);
        assertTrue(vm.matrixCaption.get().contains("image tokens"), vm.matrixCaption.get());
    }

    @Test
    void theVisionTowerHasImageTokensOnly() {
        show(SimilarityViewModel.VISION, TokenSelection.TEXT, CkaKernel.LINEAR);
        assertTrue(vm.selectionFixed.get());
        assertEquals(TokenSelection.IMAGE, vm.effectiveTokens());
        CkaMatrix vision = result.matrix("vision", TokenSelection.IMAGE, CkaKernel.LINEAR);
        assertEquals(vision.labels(), vm.matrix.get().rowLabels());
        assertEquals(List.of("text", "vision"), List.copyOf(vm.towers));
        vm.selectCell(1, 2);
        assertTrue(vm.cellDetail.get().contains("decoder blocks only"), vm.cellDetail.get());
    }

    @Test
    void aClickedCellNamesBothLayersAndTheirBlockInfluence() {
        show(SimilarityViewModel.TEXT, TokenSelection.TEXT, CkaKernel.LINEAR);
        vm.selectCell(2, 5);
        CkaMatrix m = result.matrix("text", TokenSelection.TEXT, CkaKernel.LINEAR);
        LayerInfluence influence = result.influence().stream().filter(i -> i.tokens() == TokenSelection.TEXT)
                .findFirst().orElseThrow();
        String[] lines = vm.cellDetail.get().split("\n");
        assertEquals("block 1 × block 4: CKA " + Numbers.compact(m.values()[2][5]) + " (linear, text tower, text tokens)",
                lines[0]);
        assertTrue(lines[1].startsWith("block 1: Block Influence " + Numbers.compact(influence.influence()[1])), lines[1]);
        assertTrue(lines[2].startsWith("block 4: Block Influence " + Numbers.compact(influence.influence()[4])), lines[2]);

        vm.selectCell(0, 0);
        assertTrue(vm.cellDetail.get().contains("embeddings: not a block"), vm.cellDetail.get());
        vm.kernel.set(CkaKernel.RBF);
        assertEquals(SimilarityViewModel.PICK_A_CELL, vm.cellDetail.get(), "another matrix: pick again");
    }

    @Test
    void blockInfluenceIsChartedForEverySelection() {
        List<LineChartView.Series> series = vm.influence.get();
        assertEquals(List.of("all tokens", "image tokens", "text tokens", "1 − cos, last token"),
                series.stream().map(LineChartView.Series::name).toList());
        assertEquals(8, series.get(0).x().length, "one point per decoder block");
        assertArrayEquals(result.influence().get(0).influence(), series.get(0).y());
        for (double v : series.get(3).y()) {
            assertTrue(v >= 0 && v <= 2, "1 − cos lies in [0, 2]: " + v);
        }
    }

    @Test
    void aSecondRunIsReadFromTheCache() throws Exception {
        long start = System.nanoTime();
        Job<SimilarityResult> again = vm.run();
        assertTrue(again.await(Duration.ofSeconds(60)));
        double seconds = (System.nanoTime() - start) / 1e9;
        assertTrue(seconds < computedSeconds, "read back in " + seconds + " s, computed in " + computedSeconds + " s");
        assertNotSame(result, again.result(), "read back, not the same object");
        assertArrayEquals(result.matrix("text", TokenSelection.ALL, CkaKernel.LINEAR).values()[3],
                again.result().matrix("text", TokenSelection.ALL, CkaKernel.LINEAR).values()[3]);
        assertTrue(session.statusProperty().get().toLowerCase(Locale.ROOT).contains("done"),
                session.statusProperty().get());
    }
}
