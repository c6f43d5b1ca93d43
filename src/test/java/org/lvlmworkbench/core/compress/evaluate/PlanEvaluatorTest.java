package org.lvlmworkbench.core.compress.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.eval.EvalReport;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelFingerprint;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.compress.plan.Calibration;
import org.lvlmworkbench.core.safetensors.SafetensorsFile;
import org.lvlmworkbench.core.safetensors.SafetensorsWriter;
import org.lvlmworkbench.core.safetensors.TensorEntry;

/**
 * Live evaluation on the shipped sample: the sample against a second copy of itself, then against a
 * copy with one decoder layer's attention output zeroed, through one evaluator and one reference cache.
 */
class PlanEvaluatorTest {

    static final Path SAMPLE = Path.of("samples/llava-shapes");
    static final Path EVAL = Path.of("samples/shapes-eval/eval.jsonl");
    static final String ZEROED = "language_model.model.layers.3.self_attn.o_proj.weight";
    static final int ITEMS = 10;

    @TempDir
    static Path dir;

    static LoadedModel reference;
    static LoadedModel same;
    static LoadedModel perturbed;
    static EvalSet set;
    static ReferenceCache cache;
    static EvaluationResult sameResult;
    static EvaluationResult perturbedResult;
    static List<ItemResult> streamed = new ArrayList<>();
    static long referenceRunsAfterFirst;
    static long referenceRunsAfterSecond;

    @BeforeAll
    static void evaluateTwoPlans() throws IOException {
        reference = ModelLoader.load(SAMPLE);
        same = ModelLoader.load(SAMPLE);
        perturbed = ModelLoader.load(perturbedCopy(dir.resolve("perturbed")));
        set = EvalSet.read(EVAL);
        cache = new ReferenceCache();
        PlanEvaluator evaluator = new PlanEvaluator(reference, set, cache);
        EvaluationSettings settings = EvaluationSettings.defaults().withItems(ITEMS);
        long t0 = System.nanoTime();
        sameResult = evaluator.evaluate(same, settings, streamed::add, Progress.NONE);
        long t1 = System.nanoTime();
        referenceRunsAfterFirst = cache.referenceRuns();
        perturbedResult = evaluator.evaluate(perturbed, settings.withPredictedWhitenedLoss(0.125), null,
                Progress.NONE);
        long t2 = System.nanoTime();
        referenceRunsAfterSecond = cache.referenceRuns();
        System.out.printf("%d items: %.0f ms with the reference, %.0f ms from the cache%n", ITEMS, (t1 - t0) / 1e6,
                (t2 - t1) / 1e6);
        System.out.print(perturbedResult.summary().table());
    }

    @AfterAll
    static void close() {
        for (LoadedModel m : new LoadedModel[] {reference, same, perturbed}) {
            if (m != null) {
                m.close();
            }
        }
    }

    /** The sample with {@link #ZEROED} all zeros (and a metadata entry, so its fingerprint differs). */
    static Path perturbedCopy(Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(SAMPLE)) {
            for (Path f : files.toList()) {
                if (!f.getFileName().toString().endsWith(".safetensors")) {
                    Files.copy(f, target.resolve(f.getFileName()));
                }
            }
        }
        try (SafetensorsFile in = SafetensorsFile.open(SAMPLE.resolve(Checkpoint.SINGLE_FILE))) {
            SafetensorsWriter w = new SafetensorsWriter().metadata("perturbed", ZEROED + " zeroed");
            boolean found = false;
            for (TensorEntry e : in.tensors().values()) {
                boolean zero = e.name().equals(ZEROED);
                found |= zero;
                ByteBuffer bytes = zero ? ByteBuffer.allocate((int) e.byteLength()) : in.readOnlyBytes(e.name());
                w.add(e.name(), e.dtype(), e.shape(), bytes);
            }
            assertTrue(found, ZEROED + " is in the sample");
            w.write(target.resolve(Checkpoint.SINGLE_FILE));
        }
        return target;
    }

    @Test
    void theReferenceAgainstItselfAgreesEverywhere() {
        EvaluationSummary s = sameResult.summary();
        assertEquals(ITEMS, s.items());
        assertFalse(s.cancelled());
        assertEquals(1.0, s.agreement());
        assertTrue(s.maxKl() <= 1e-9, "max KL " + s.maxKl());
        assertEquals(s.reference().overall(), s.candidate().overall());
        assertEquals(s.reference().byType(), s.candidate().byType());
        assertEquals(s.reference().parameters(), s.candidate().parameters());
        assertEquals(s.reference().parametersByComponent(), s.candidate().parametersByComponent());
        assertEquals(s.reference().prefillFlops(), s.candidate().prefillFlops());
        assertEquals(s.reference().prefillFlopsByComponent(), s.candidate().prefillFlopsByComponent());
        assertEquals(s.reference().decodeFlopsPerToken(), s.candidate().decodeFlopsPerToken());
        assertEquals(s.reference().flopsPerAnswer(), s.candidate().flopsPerAnswer());
        for (ItemResult r : sameResult.items()) {
            assertEquals(r.reference().answer(), r.candidate().answer());
            assertEquals(r.reference().prefillFlops(), r.candidate().prefillFlops());
            assertTrue(r.reference().prefillNanos() > 0 && r.candidate().prefillNanos() > 0);
        }
        assertTrue(s.reference().prefillFlops() > 0 && s.reference().medianPrefillMillis() > 0);
    }

    @Test
    void accuracyIsTheEvaluatorsRuleAndSumsOverTypes() {
        for (ItemResult r : perturbedResult.items()) {
            assertEquals(org.lvlmworkbench.core.eval.Evaluator.matches(r.candidate().answer(), r.expected()),
                    r.candidateCorrect());
            assertEquals(org.lvlmworkbench.core.eval.Evaluator.matches(r.reference().answer(), r.expected()),
                    r.referenceCorrect());
            assertEquals(set.items().get(r.index()).type(), r.type());
        }
        for (ModelMetrics m : List.of(perturbedResult.summary().reference(), perturbedResult.summary().candidate())) {
            assertTrue(m.byType().size() > 1, "several question types in " + ITEMS + " items: " + m.byType());
            int correct = 0;
            int total = 0;
            for (EvalReport.Score sc : m.byType().values()) {
                correct += sc.correct();
                total += sc.total();
            }
            assertEquals(m.overall(), new EvalReport.Score(correct, total));
            assertEquals(ITEMS, total);
        }
        // The reference scored the sample as a trained model should.
        assertTrue(perturbedResult.summary().reference().overall().accuracy() > 0.5,
                perturbedResult.summary().reference().overall().toString());
    }

    @Test
    void aPerturbedCandidateDiffers() {
        EvaluationSummary s = perturbedResult.summary();
        assertNotEquals(ModelFingerprint.of(SAMPLE), ModelFingerprint.of(perturbed.folder()));
        // Without layer 3's attention the sample answers several of the first items differently.
        assertTrue(s.agreement() < 1, "agreement " + s.agreement());
        assertTrue(s.meanKl() > 1e-3, "KL " + s.meanKl());
        assertEquals(s.reference().byType().keySet(), s.candidate().byType().keySet());
        for (ItemResult r : perturbedResult.items()) {
            assertTrue(r.kl() >= 0 && Double.isFinite(r.kl()));
            assertEquals(org.lvlmworkbench.core.eval.Evaluator.matches(r.candidate().answer(), r.reference().answer()),
                    r.agrees());
        }
        // Zeroed, not removed: the same parameters and operations.
        assertEquals(s.reference().parameters(), s.candidate().parameters());
        assertEquals(s.reference().prefillFlops(), s.candidate().prefillFlops());
        assertEquals(0.125, s.predictedWhitenedLoss());
    }

    @Test
    void itemsStreamInOrderAsTheyFinish() {
        assertEquals(ITEMS, streamed.size());
        for (int i = 0; i < ITEMS; i++) {
            assertEquals(i, streamed.get(i).index());
            assertEquals(sameResult.items().get(i), streamed.get(i));
        }
    }

    @Test
    void aSecondPlanRunsOnlyTheCandidate() {
        assertEquals(ITEMS, referenceRunsAfterFirst);
        assertEquals(ITEMS, referenceRunsAfterSecond, "the second plan re-ran the reference");
        assertEquals(ITEMS, cache.size());
        assertTrue(sameResult.items().stream().noneMatch(ItemResult::referenceFromCache));
        assertTrue(perturbedResult.items().stream().allMatch(ItemResult::referenceFromCache));
        assertEquals(ITEMS, perturbedResult.summary().referenceFromCache());
        for (int i = 0; i < ITEMS; i++) {
            assertEquals(sameResult.items().get(i).reference(), perturbedResult.items().get(i).reference());
        }
        assertEquals(sameResult.summary().reference(), perturbedResult.summary().reference());
        assertEquals(4L * reference.model().decoder().vocabSize() * ITEMS, cache.bytes());
    }

    @Test
    void moreItemsOrAnotherAnswerLengthRunOnlyWhatIsNew() {
        ReferenceCache own = new ReferenceCache();
        PlanEvaluator evaluator = new PlanEvaluator(reference, set, own);
        evaluator.evaluate(same, new EvaluationSettings(1, 8, true, null), null, Progress.NONE);
        EvaluationResult two = evaluator.evaluate(same, new EvaluationSettings(2, 8, true, null), null, Progress.NONE);
        assertEquals(2, own.referenceRuns(), "item 0 came from the cache, item 1 ran");
        assertEquals(List.of(true, false), two.items().stream().map(ItemResult::referenceFromCache).toList());
        evaluator.evaluate(same, new EvaluationSettings(1, 1, true, null), null, Progress.NONE);
        assertEquals(3, own.referenceRuns(), "answers of another length limit are other answers");
    }

    @Test
    void evaluationOnTheCalibrationFileStartsPastItsItems() {
        Calibration calibration = new Calibration(EVAL.toString(), 3, "fingerprint");
        EvaluationSettings base = new EvaluationSettings(2, 8, true, null);
        // Another spelling of the same file is the same file; another file keeps its first items.
        assertEquals(3, base.heldOutFrom(calibration, EVAL.toAbsolutePath()).firstItem());
        assertEquals(0, base.heldOutFrom(calibration, Path.of("samples/shapes-eval-64/eval.jsonl")).firstItem());
        assertEquals(0, base.heldOutFrom(null, EVAL).firstItem());

        ReferenceCache own = new ReferenceCache();
        PlanEvaluator evaluator = new PlanEvaluator(reference, set, own);
        EvaluationResult held = evaluator.evaluate(same, base.heldOutFrom(calibration, EVAL), null, Progress.NONE);
        assertEquals(List.of(3, 4), held.items().stream().map(ItemResult::index).toList());
        assertEquals(set.items().get(3).prompt(), held.items().get(0).prompt());
        assertEquals(3, held.summary().firstItem());
        assertEquals("items 4–5", held.summary().range());
        assertTrue(held.summary().table().startsWith("2 of 2 items (items 4–5, after the 3 calibration items)"),
                held.summary().table());
        // The file's end bounds the run, and a start past it is refused with the file named.
        int size = set.items().size();
        EvaluationResult tail = evaluator.evaluate(same, base.withItems(5).withFirstItem(size - 1), null, Progress.NONE);
        assertEquals(List.of(size - 1), tail.items().stream().map(ItemResult::index).toList());
        IllegalArgumentException past = assertThrows(IllegalArgumentException.class,
                () -> evaluator.evaluate(same, base.withFirstItem(size), null, Progress.NONE));
        assertTrue(past.getMessage().contains("eval.jsonl holds " + size + " items"), past.getMessage());
    }

    @Test
    void summaryIsJsonAndATable() {
        EvaluationSummary s = perturbedResult.summary();
        String json = s.toJson();
        assertEquals(s, EvaluationSummary.fromJson(json));
        assertTrue(json.contains("\"predictedWhitenedLoss\": 0.125"), json);
        String table = s.table();
        for (String label : List.of("accuracy", "agreement", "mean KL", "predicted whitened loss", "parameters",
                "FLOPs prefill", "FLOPs / decode token", "prefill ms (median)", "decode ms/token (median)")) {
            assertTrue(table.contains(label), label + " in\n" + table);
        }
        for (String type : s.reference().byType().keySet()) {
            assertTrue(table.contains("  " + type), type + " in\n" + table);
        }
        assertFalse(sameResult.summary().table().contains("predicted whitened loss"));
    }

    @Test
    void cancellingInsideAPassStopsWithinASecondAndKeepsWhatFinished() {
        // The flag is read before every layer and matrix product; it turns true at its 100th reading after
        // the first item finished, inside a forward pass of the second item (a pass reads it 60 to 90 times).
        AtomicLong readings = new AtomicLong();
        AtomicLong armedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong cancelledAt = new AtomicLong();
        Progress progress = Progress.of(() -> {
            if (readings.incrementAndGet() < armedAt.get()) {
                return false;
            }
            cancelledAt.compareAndSet(0, System.nanoTime());
            return true;
        }, (f, m) -> { });
        List<ItemResult> seen = new ArrayList<>();
        ReferenceCache own = new ReferenceCache();
        EvaluationResult r = new PlanEvaluator(reference, set, own).evaluate(perturbed,
                EvaluationSettings.defaults().withItems(ITEMS), item -> {
                    seen.add(item);
                    armedAt.compareAndSet(Long.MAX_VALUE, readings.get() + 100);
                }, progress);
        double seconds = (System.nanoTime() - cancelledAt.get()) / 1e9;
        assertTrue(cancelledAt.get() != 0 && seconds < 1, "stopped " + seconds + " s after the cancel");
        assertTrue(r.summary().cancelled());
        assertEquals(1, r.items().size());
        assertEquals(seen, r.items());
        assertEquals(r.items().size(), r.summary().items());
        assertEquals(ITEMS, r.summary().requested());
        assertEquals(r.items().size(), r.summary().candidate().overall().total());
        // Only whole reference runs are kept: the cut one is not.
        assertEquals(1, own.size(), "the second item's reference run was cut");
    }

    @Test
    void aNewPlanSupersedesTheRunningEvaluation() throws Exception {
        PlanEvaluator evaluator = new PlanEvaluator(reference, set, new ReferenceCache());
        CountDownLatch started = new CountDownLatch(1);
        AtomicLong firstEnded = new AtomicLong();
        CompletableFuture<EvaluationResult> first = CompletableFuture.supplyAsync(() -> {
            EvaluationResult r = evaluator.evaluate(same, EvaluationSettings.defaults().withItems(set.items().size()),
                    item -> started.countDown(), Progress.NONE);
            firstEnded.set(System.nanoTime());
            return r;
        });
        assertTrue(started.await(20, TimeUnit.SECONDS));
        long t0 = System.nanoTime();
        EvaluationResult second = evaluator.evaluate(perturbed, EvaluationSettings.defaults().withItems(1), null,
                Progress.NONE);
        EvaluationResult old = first.get(5, TimeUnit.SECONDS);
        double stopped = (firstEnded.get() - t0) / 1e9;
        assertTrue(stopped < 1, "the running evaluation stopped " + stopped + " s after the new plan came");
        assertTrue(old.summary().cancelled());
        assertTrue(old.items().size() < set.items().size() && !old.items().isEmpty());
        assertFalse(second.summary().cancelled());
        assertEquals(1, second.items().size());
        System.out.printf("superseded after %d items; the new plan's item finished %.0f ms after it asked%n",
                old.items().size(), (System.nanoTime() - t0) / 1e6);
    }
}
