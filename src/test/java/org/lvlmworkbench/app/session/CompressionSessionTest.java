package org.lvlmworkbench.app.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.compress.evaluate.EvaluationResult;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSummary;
import org.lvlmworkbench.core.compress.lowrank.Factorization;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/**
 * The compression session on the shipped sample, without a UI toolkit: preparing makes the empty plan,
 * each plan change is applied and evaluated with items streaming in, a newer plan cancels the running
 * evaluation, undo and redo re-evaluate, refused plans leave the plan alone, every finished evaluation
 * is a point.
 */
class CompressionSessionTest {

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String Q3 = "language_model.model.layers.3.self_attn.q_proj.weight";

    /** A stand-in for the FX thread: the session's callbacks and the test's calls all run here. */
    private static final ExecutorService UI = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-ui"));
    private static ModelSession session;
    private static CompressionSession compression;

    @BeforeAll
    static void open() throws Exception {
        session = new ModelSession(UI);
        Job<LoadedModel> job = on(() -> session.openModel(SampleModel.defaultModel()));
        assertTrue(job.await(WAIT));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
        compression = on(() -> new CompressionSession(session, ShapesEvalSet.defaultFile()));
        on(() -> {
            compression.evaluationItems.set(2);
            compression.calibrationItems.set(2);
            return null;
        });
        Job<?> prepared = on(compression::prepare);
        assertTrue(prepared.await(WAIT));
        assertEquals(Job.State.SUCCEEDED, prepared.state(), session.statusProperty().get());
    }

    @AfterAll
    static void close() {
        session.close();
        UI.shutdownNow();
    }

    /** Runs {@code call} on the test's UI thread and returns its value. */
    private static <T> T on(Callable<T> call) throws Exception {
        return UI.submit(call).get(60, TimeUnit.SECONDS);
    }

    private static void run(Runnable call) throws Exception {
        UI.submit(call).get(60, TimeUnit.SECONDS);
    }

    private static EvaluationSummary finish(Job<EvaluationResult> job) throws Exception {
        assertNotNull(job, "an evaluation was started");
        assertTrue(job.await(WAIT));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
        return on(() -> compression.summaryProperty().get());
    }

    @Test
    void preparingStartsTheEmptyPlanForThisModel() throws Exception {
        CompressionPlan plan = on(compression::plan);
        assertNotNull(plan);
        assertEquals(8, on(() -> compression.shapeProperty().get().decoderLayers()));
        assertEquals(on(() -> compression.shapeProperty().get().fingerprint()), plan.modelFingerprint());
        assertEquals(2, plan.calibration().items(), "calibration on the first N items");
    }

    @Test
    void eachPlanChangeIsAppliedAndEvaluatedWithItemsStreamingIn() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        on(() -> {
            compression.items().addListener((ListChangeListener<Object>) c -> sizes.add(compression.items().size()));
            compression.edit(p -> p.withDroppedLayer(5, true));
            return null;
        });
        // edit runs once the plan exists: it is, so the evaluation started at once.
        EvaluationSummary s = finish(on(compression::evaluation));
        assertEquals(2, s.items());
        assertTrue(sizes.contains(1) && sizes.contains(2), "items arrive one at a time: " + sizes);
        assertEquals(CompressionSession.EvaluationState.DONE, on(() -> compression.evaluationStateProperty().get()));
        CompressionSession.ModelSizes original = on(() -> compression.originalSizesProperty().get());
        CompressionSession.ModelSizes compressed = on(() -> compression.compressedSizesProperty().get());
        assertTrue(compressed.parameters() < original.parameters(), compressed + " vs " + original);
        assertEquals(s.candidate().parameters(), compressed.parameters());
        List<EvaluatedPlan> points = on(() -> List.copyOf(compression.points()));
        assertTrue(points.get(0).original(), "the original is a point too");
        EvaluatedPlan dropped = points.stream().filter(p -> p.plan().droppedLayers().contains(5)).findFirst()
                .orElseThrow();
        assertEquals(s.candidate().parameters(), dropped.parameters());
        assertEquals(s.agreement(), dropped.agreement());
    }

    @Test
    void aNewerPlanCancelsTheRunningEvaluationAndUndoRedoReEvaluate() throws Exception {
        run(() -> compression.evaluationItems.set(3));
        CompressionPlan start = on(compression::plan);
        Job<EvaluationResult> first = on(() -> {
            compression.push(start.withDroppedMlp(2, true));
            return compression.evaluation();
        });
        Job<EvaluationResult> second = on(() -> {
            compression.push(compression.plan().withDroppedAttention(4, true));
            return compression.evaluation();
        });
        assertNotEquals(first, second);
        assertTrue(first.await(WAIT));
        assertEquals(Job.State.CANCELLED, first.state(), "the newer plan cancels the older one's evaluation");
        EvaluationSummary s = finish(second);
        assertEquals(3, s.items());
        assertTrue(on(() -> compression.evaluatedPlanProperty().get().droppedAttention().contains(4)));
        assertFalse(on(() -> compression.points().stream().anyMatch(p -> p.plan().equals(start.withDroppedMlp(2, true)))),
                "a cancelled evaluation is no point");

        Job<EvaluationResult> undone = on(() -> {
            compression.undo();
            return compression.evaluation();
        });
        finish(undone);
        assertEquals(start.withDroppedMlp(2, true), on(compression::plan));
        assertTrue(on(() -> compression.canRedoProperty().get()));
        finish(on(() -> {
            compression.redo();
            return compression.evaluation();
        }));
        assertTrue(on(() -> compression.plan().droppedAttention().contains(4)));
        assertFalse(on(() -> compression.canRedoProperty().get()));
        run(() -> compression.evaluationItems.set(2));
        finish(on(compression::evaluation));
    }

    @Test
    void aRefusedPlanLeavesThePlanAloneAndSaysWhy() throws Exception {
        CompressionPlan before = on(compression::plan);
        CompressionPlan bad = before.withDroppedLayer(3, true).withRank(Q3, new MatrixRank(4, "plain"));
        assertFalse(on(() -> compression.push(bad)));
        assertEquals(before, on(compression::plan));
        String status = on(() -> session.statusProperty().get());
        assertTrue(status.contains(Q3) && status.contains("removed by the plan"), status);
    }

    @Test
    void computeRunsOnTheWorkerAndFillsTheFactorizationCache() throws Exception {
        assertNull(on(() -> compression.cachedFactorization(Q3, LowRankMethod.SVD_LLM)));
        Job<Factorization> job = on(() -> compression.compute("Factorising", (c, p) -> c.factorization(Q3,
                LowRankMethod.SVD_LLM, p), f -> { }));
        assertTrue(job.await(WAIT));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
        Factorization f = on(() -> compression.cachedFactorization(Q3, LowRankMethod.SVD_LLM));
        assertNotNull(f, "read back without computing");
        assertEquals(96, f.maxRank());
        Job<EvaluationResult> resumed = on(compression::evaluation);
        if (resumed != null) {
            resumed.await(WAIT);
        }
    }
}
