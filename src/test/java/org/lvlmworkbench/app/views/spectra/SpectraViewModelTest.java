package org.lvlmworkbench.app.views.spectra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.widgets.HeatmapData;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.core.analysis.spectra.MatrixSpectrum;
import org.lvlmworkbench.core.analysis.spectra.SpectraAnalysis;
import org.lvlmworkbench.core.analysis.spectra.SpectraCache;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/** The Spectra view's state on the shipped sample, without a UI toolkit. */
class SpectraViewModelTest {

    private static ModelSession session;
    @TempDir
    static Path cache;

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

    private static SpectraAnalysis.Report finish(Job<SpectraAnalysis.Report> job) throws InterruptedException {
        assertTrue(job.await(Duration.ofSeconds(120)));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
        return job.result();
    }

    @Test
    void everyWeightArrivesAsARowAndTheRankMapFillsIn() throws Exception {
        SpectraViewModel vm = new SpectraViewModel(session, ShapesEvalSet.defaultFile(), new SpectraCache(cache));
        List<Integer> sizes = new ArrayList<>();
        vm.rows.addListener((ListChangeListener<SpectraViewModel.Row>) c -> sizes.add(vm.rows.size()));
        SpectraAnalysis.Report report = finish(vm.run());

        int weights = session.model().model().linears().size();
        assertEquals(weights, vm.rows.size());
        assertEquals(weights, sizes.get(sizes.size() - 1));
        assertEquals(1, sizes.get(0), "rows stream in one by one");
        assertTrue(vm.summary.get().startsWith(weights + " weights"), vm.summary.get());
        SpectraViewModel.Row first = vm.rows.get(0);
        MatrixSpectrum s = first.spectrum();
        assertEquals(s.effectiveRankRoyVetterli(), first.effectiveRank());
        assertEquals(s.rankForEnergy(0.9), first.rankForEnergy());
        assertEquals(s.rows() + " × " + s.cols(), first.shape());
        assertSame(report.spectra().get(0).name(), first.spectrum().name());

        HeatmapData map = vm.rankMap.get();
        assertEquals(List.of("vision 0", "vision 1", "vision 2", "projector", "text 0"), map.rowLabels().subList(0, 5));
        assertEquals(12, map.rows(), "3 vision blocks that run, the projector, 8 decoder blocks");
        assertTrue(map.columnLabels().containsAll(List.of("q", "k", "v", "o", "fc1", "gate", "down", "linear_1")));
        assertTrue(map.valueLabel().contains("Roy & Vetterli"));
        int text3 = map.rowLabels().indexOf("text 3");
        int down = map.columnLabels().indexOf("down");
        vm.selectCell(text3, down);
        assertEquals("text 3", vm.selected.get().block());
        assertEquals("down", vm.selected.get().spectrum().role());
        assertEquals(vm.selected.get().effectiveRank(), map.values()[text3][down]);
        assertTrue(Double.isNaN(map.values()[map.rowLabels().indexOf("projector")][map.columnLabels().indexOf("q")]),
                "the projector has no q");
    }

    @Test
    void aSelectedWeightShowsItsSpectrumAndEnergy() throws Exception {
        SpectraViewModel vm = new SpectraViewModel(session, ShapesEvalSet.defaultFile(), new SpectraCache(cache));
        finish(vm.run());
        SpectraViewModel.Row row = vm.rows.get(5);
        vm.selected.set(row);
        List<LineChartView.Series> sigma = vm.spectrum.get();
        assertEquals(1, sigma.size(), "no calibration, no whitened spectrum");
        assertArrayEquals(row.spectrum().singularValues(), sigma.get(0).y());
        assertEquals(1, sigma.get(0).x()[0], "singular values count from 1");
        assertArrayEquals(row.spectrum().energyRetained(), vm.energy.get().get(0).y());
        assertEquals(row.rankForEnergy(), vm.energyMarkers.get().get(0).x());
        assertTrue(vm.detail.get().contains("effective rank (Roy & Vetterli)"), vm.detail.get());
        assertTrue(vm.detail.get().startsWith(row.spectrum().name()), vm.detail.get());
    }

    @Test
    void calibrationAddsWhitenedSpectraAndTheTruncationLoss() throws Exception {
        SpectraViewModel vm = new SpectraViewModel(session, ShapesEvalSet.defaultFile(), new SpectraCache(cache));
        vm.source.count.set(1);
        vm.whitened.set(true);
        SpectraAnalysis.Report report = finish(vm.run());
        assertTrue(report.calibrationPasses() >= 1);
        SpectraViewModel.Row row = vm.selected.get();
        assertNotNull(row.spectrum().whitened());
        assertEquals(List.of("σ", "σ whitened (W·S)"), vm.spectrum.get().stream().map(LineChartView.Series::name).toList());
        double[] loss = vm.energy.get().get(1).y();
        assertEquals(1, loss[0], 1e-12, "nothing kept: the whole output energy is lost");
        assertEquals(0, loss[loss.length - 1], 1e-12, "full rank loses nothing");
        assertTrue(vm.detail.get().contains("calibration tokens"), vm.detail.get());
        assertTrue(vm.summary.get().contains("calibration pass"), vm.summary.get());

        vm.selected.set(null);
        assertEquals(SpectraViewModel.PICK_A_ROW, vm.detail.get());
        assertNull(vm.selected.get());
        assertTrue(vm.spectrum.get().isEmpty());
    }
}
