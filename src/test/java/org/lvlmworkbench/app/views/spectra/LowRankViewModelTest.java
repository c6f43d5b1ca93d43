package org.lvlmworkbench.app.views.spectra;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.core.compress.Compressor;
import org.lvlmworkbench.core.compress.lowrank.Allocation;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/**
 * The Spectra view's low-rank controls without a toolkit: the slider's marks are arithmetic on arrays
 * read once; on the sample, a selected weight's factorisation arrives from the worker, the slider's rank
 * goes into the plan (dense past break-even), a group sets a role's ranks and an allocator a budget.
 */
class LowRankViewModelTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String Q3 = "language_model.model.layers.3.self_attn.q_proj.weight";
    private static final String K3 = "language_model.model.layers.3.self_attn.k_proj.weight";
    private static final ExecutorService UI = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-ui"));
    private static ModelSession session;
    private static CompressionSession compression;
    private static StringProperty selected;
    private static LowRankViewModel vm;

    @BeforeAll
    static void open() throws Exception {
        session = new ModelSession(UI);
        Job<LoadedModel> job = on(() -> session.openModel(SampleModel.defaultModel()));
        assertTrue(job.await(WAIT));
        on(() -> {
            compression = new CompressionSession(session, ShapesEvalSet.defaultFile());
            compression.calibrationItems.set(2);
            compression.evaluationItems.set(1);
            selected = new SimpleStringProperty();
            vm = new LowRankViewModel(compression, selected);
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

    private static void idle() throws Exception {
        long end = System.nanoTime() + WAIT.toNanos();
        while (on(() -> session.busyProperty().get())) {
            assertTrue(System.nanoTime() < end, "the worker stays busy: " + session.statusProperty().get());
            Thread.sleep(50);
        }
    }

    @Test
    void marksAreReadFromTheCurve() {
        // A 4×6 matrix, σ = 4, 2, 1, 1: energy 16, 20, 21, 22 of 22; loss falls to 0.
        RankMarks.Curve c = new RankMarks.Curve("svd-llm", 4, 6, new double[] {0, 16 / 22.0, 20 / 22.0, 21 / 22.0, 1},
                new double[] {100, 40, 10, 5, 0});
        RankMarks m = RankMarks.of(c, 2);
        assertEquals(2, m.rank());
        assertEquals(20 / 22.0, m.energyKept(), 1e-12);
        assertEquals(10, m.predictedLoss());
        assertEquals(0.1, m.relativeLoss(), 1e-12);
        assertEquals(2 * (4 + 6), m.parameters());
        assertEquals(24, m.denseParameters());
        assertEquals(2, m.breakEven(), "⌊(24 − 1)/10⌋");
        assertTrue(m.saves());
        assertTrue(m.describe().contains("20 of 24 parameters (83 %)"), m.describe());
        RankMarks past = RankMarks.of(c, 3);
        assertFalse(past.saves());
        assertTrue(past.describe().contains("dense: no saving"), past.describe());
        assertEquals(4, RankMarks.of(c, 99).rank(), "clamped to the largest rank");
        assertEquals(12, RankMarks.rankForKeep(96, 96, 0.25), "⌊0.25·9216/192⌋");
        assertEquals(1, RankMarks.rankForKeep(96, 96, 0.001), "never below rank 1");
        assertEquals(-1, RankMarks.rankForKeep(96, 96, 1), "all kept: dense");

        // The slider's cost: one position is a few array reads.
        RankMarks.Curve big = new RankMarks.Curve("plain", 4096, 11008, new double[4097], new double[4097]);
        long start = System.nanoTime();
        for (int i = 0; i < 100_000; i++) {
            RankMarks.of(big, i % 4097);
        }
        assertTrue((System.nanoTime() - start) / 100_000.0 < 50_000, "well under 50 µs a position");
    }

    /** Back to the original model, so each test starts from the same plan. */
    private static void emptyPlan() throws Exception {
        on(() -> compression.push(compression.plan().withRanks(java.util.Map.of()).withoutDepthChanges()));
    }

    @Test
    void theSelectedWeightsRankGoesIntoThePlan() throws Exception {
        emptyPlan();
        on(() -> {
            vm.method.set(LowRankMethod.SVD_LLM);
            selected.set(Q3);
            return null;
        });
        idle();
        RankMarks.Curve c = on(() -> vm.curve.get());
        assertNotNull(c, on(() -> vm.readout.get()));
        assertEquals(96, c.maxRank());
        assertEquals(96, on(() -> vm.rank.get()), "dense in the plan: the slider starts at the top");
        assertTrue(on(() -> vm.noSaving.get()));
        assertTrue(on(() -> vm.readout.get()).contains("dense: no saving"));
        on(() -> {
            vm.rank.set(20);
            return null;
        });
        RankMarks m = on(() -> vm.marks.get());
        assertEquals(20, m.rank());
        assertEquals(20 * 192, m.parameters());
        assertEquals("rank 20", on(() -> vm.rankMarkers.get().get(0).label()));
        assertEquals(20.0, on(() -> vm.rankMarkers.get().get(0).x()));
        on(() -> {
            vm.commitRank();
            return null;
        });
        assertEquals(new MatrixRank(20, "svd-llm"), on(() -> compression.plan().ranks().get(Q3)));
        assertEquals("in the plan: rank 20 (svd-llm)", on(() -> vm.planState.get()));
        // Past break-even the weight stays dense: its rank leaves the plan.
        on(() -> {
            vm.rank.set(60);
            vm.commitRank();
            return null;
        });
        assertNull(on(() -> compression.plan().ranks().get(Q3)));
        idle();
    }

    @Test
    void aGroupSetsEveryDecoderMatrixOfOneRoleAndAnAllocatorABudget() throws Exception {
        emptyPlan();
        on(() -> {
            compression.push(compression.plan().withDroppedLayer(6, true));
            vm.groupRole.set("k");
            vm.groupKeep.set(0.5);
            vm.commitGroup();
            return null;
        });
        CompressionPlan plan = on(compression::plan);
        long ks = plan.ranks().keySet().stream().filter(n -> n.contains("k_proj")).count();
        assertEquals(7, ks, "8 layers, one dropped");
        int expected = RankMarks.rankForKeep(48, 96, 0.5);
        assertEquals(new MatrixRank(expected, "svd-llm"), plan.ranks().get(K3));
        assertEquals("keep 50 % → rank " + expected + " (7 matrices, 48×96)", on(() -> vm.groupReadout.get()),
                on(() -> vm.groupReadout.get()));

        Job<Compressor.Allocated> job = on(() -> {
            vm.allocation.set(Allocation.UNIFORM);
            vm.method.set(LowRankMethod.PLAIN);
            vm.targetRatio.set(0.3);
            return vm.allocate();
        });
        assertTrue(job.await(WAIT));
        assertEquals(Job.State.SUCCEEDED, job.state(), on(() -> session.statusProperty().get()));
        CompressionPlan allocated = on(compression::plan);
        assertTrue(allocated.droppedLayers().contains(6), "the allocation keeps the plan's other choices");
        assertTrue(allocated.ranks().size() > 20, allocated.ranks().size() + " ranks");
        assertTrue(allocated.ranks().values().stream().allMatch(r -> r.method().equals("plain")));
        assertTrue(allocated.ranks().keySet().stream().noneMatch(n -> n.contains("layers.6.")), "nothing in a dropped layer");
        long kept = job.result().allocation().keptParameters();
        long total = job.result().allocation().totalParameters();
        assertTrue(kept <= 0.7 * total + 1 && kept > 0.6 * total, kept + " of " + total);
        assertTrue(on(() -> vm.allocationReadout.get()).contains("matrices ranked"));
        on(() -> {
            compression.cancelEvaluation();
            return null;
        });
        idle();
    }
}
