package org.lvlmworkbench.core.analysis.spectra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.linalg.SingularValues;
import org.lvlmworkbench.core.linalg.Whitening;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.testing.TinyModels;

/** Spectra of a whole (tiny) model: streamed in order, whitened from the calibration, cached, cancellable. */
class SpectraAnalysisTest {

    private static LoadedModel model;
    private static List<LinearWeight> linears;
    private static List<ProbeItem> items;

    @TempDir
    Path cacheFolder;

    @BeforeAll
    static void load() {
        model = TinyModels.load(TinyModels.legacyF32());
        linears = model.model().linears();
        items = ProbeSet.fromEvalFile(Path.of("samples/shapes-eval/eval.jsonl"), 2).items();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void plainSpectraStreamInForwardOrderAndAreTheWeightsSingularValues() {
        List<MatrixSpectrum> streamed = new ArrayList<>();
        double[] lastFraction = {-1};
        Progress progress = Progress.of(() -> false, (f, msg) -> lastFraction[0] = f);
        SpectraAnalysis.Report report = new SpectraAnalysis(model, null, null).run(progress, streamed::add);
        assertEquals(report.spectra(), streamed);
        assertEquals(linears.size(), streamed.size());
        assertEquals(linears.size(), report.computed());
        assertEquals(0, report.fromCache());
        assertEquals(1.0, lastFraction[0]);
        for (int i = 0; i < linears.size(); i++) {
            LinearWeight w = linears.get(i);
            MatrixSpectrum s = streamed.get(i);
            assertEquals(w.name(), s.name());
            assertEquals(w.role(), s.role());
            assertEquals(w.layer(), s.layer());
            assertEquals(w.rows(), s.rows());
            assertEquals(w.cols(), s.cols());
            assertArrayEquals(SingularValues.of(w.map().weightRows(), s.rows(), s.cols()), s.singularValues(), 0);
            assertNull(s.whitened());
        }
    }

    @Test
    void whitenedSpectraCarryTheCalibratedOutputEnergy() {
        CalibrationGrams grams = new CalibrationGrams(model, items);
        SpectraAnalysis.Report report = new SpectraAnalysis(model, null, grams).run(Progress.NONE, s -> { });
        assertEquals(2 * linears.size(), report.computed());
        assertEquals(1, report.calibrationPasses());
        for (int i = 0; i < linears.size(); i++) {
            LinearWeight w = linears.get(i);
            WhitenedSpectrum ws = report.spectra().get(i).whitened();
            assertNotNull(ws, w.name());
            CalibrationGrams.Gram g = grams.gram(w.inputHook(), Progress.NONE);
            assertEquals(g.tokens(), ws.tokens());
            // loss(0) = ‖W·Xᵀ‖²_F = tr(W·G·Wᵀ), from the Gram directly.
            float[] weight = w.map().weightRows();
            int n = g.width();
            double energy = 0;
            for (int r = 0; r < (int) w.rows(); r++) {
                for (int a = 0; a < n; a++) {
                    double row = 0;
                    for (int b = 0; b < n; b++) {
                        row += g.values()[a * n + b] * weight[r * n + b];
                    }
                    energy += weight[r * n + a] * row;
                }
            }
            assertEquals(energy, ws.truncationLoss()[0], 1e-9 * energy, w.name());
            if (ws.tokens() < n) {
                assertEquals(Whitening.Route.EIGEN, ws.route(), w.name() + ": " + ws.tokens() + " tokens, " + n
                        + " inputs");
                assertTrue(ws.whitenedRank() <= ws.tokens(), w.name());
            }
        }
    }

    @Test
    void aSecondRunReadsEverySpectrumFromTheCache() throws IOException {
        SpectraCache cache = new SpectraCache(cacheFolder);
        SpectraAnalysis.Report first = new SpectraAnalysis(model, cache, new CalibrationGrams(model, items))
                .run(Progress.NONE, s -> { });
        assertEquals(2 * linears.size(), first.computed());
        assertEquals(0, first.fromCache());

        CalibrationGrams again = new CalibrationGrams(model, items);
        SpectraAnalysis.Report second = new SpectraAnalysis(model, cache, again).run(Progress.NONE, s -> { });
        assertEquals(0, second.computed());
        assertEquals(2 * linears.size(), second.fromCache());
        assertEquals(0, again.passesRun(), "nothing to calibrate when every whitened spectrum is cached");
        for (int i = 0; i < linears.size(); i++) {
            MatrixSpectrum a = first.spectra().get(i);
            MatrixSpectrum b = second.spectra().get(i);
            assertArrayEquals(a.singularValues(), b.singularValues(), 0);
            assertArrayEquals(a.whitened().singularValues(), b.whitened().singularValues(), 0);
            assertEquals(a.whitened().route(), b.whitened().route());
            assertEquals(a.whitened().whitenedRank(), b.whitened().whitenedRank());
            assertEquals(a.whitened().tokens(), b.whitened().tokens());
        }
        try (Stream<Path> files = Files.list(cacheFolder)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertEquals(3 * linears.size(), names.size(), "plain, whitened and its route per matrix: " + names);
            assertTrue(names.stream().allMatch(n -> n.endsWith(".f64")), names.toString());
        }

        // Other probe items: the plain spectra still come from the cache, the whitened ones are computed.
        SpectraAnalysis.Report other = new SpectraAnalysis(model, cache,
                new CalibrationGrams(model, items.subList(0, 1))).run(Progress.NONE, s -> { });
        assertEquals(linears.size(), other.computed());
        assertEquals(linears.size(), other.fromCache());
    }

    @Test
    void cancellingBetweenMatricesStopsTheStream() {
        AtomicBoolean cancelled = new AtomicBoolean();
        List<MatrixSpectrum> streamed = new ArrayList<>();
        Progress progress = Progress.of(cancelled::get, (f, msg) -> { });
        assertThrows(CancellationException.class, () -> new SpectraAnalysis(model, null, null).run(progress, s -> {
            streamed.add(s);
            cancelled.set(true);
        }));
        assertEquals(1, streamed.size());
    }
}
