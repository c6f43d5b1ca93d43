package org.lvlmworkbench.app.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.sample.SampleModel;

/** The session without a UI toolkit: opening a model, running, streaming, cancelling and failing jobs. */
class ModelSessionTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A stand-in for the FX thread: one thread that runs what the session hands it, in order. */
    private final ExecutorService uiThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-ui"));
    private final List<ModelSession> sessions = new ArrayList<>();

    @AfterEach
    void close() {
        sessions.forEach(ModelSession::close);
        uiThread.shutdownNow();
    }

    private ModelSession direct() {
        ModelSession s = new ModelSession(Runnable::run);
        sessions.add(s);
        return s;
    }

    private ModelSession onUiThread() {
        ModelSession s = new ModelSession(uiThread);
        sessions.add(s);
        return s;
    }

    @Test
    void opensTheSampleModelAndTellsTheListeners() throws Exception {
        ModelSession session = direct();
        List<LoadedModel> told = new CopyOnWriteArrayList<>();
        session.addModelListener(told::add);
        assertEquals("no model", session.modelNameProperty().get());

        Job<LoadedModel> job = session.openModel(SampleModel.defaultModel());
        assertTrue(job.await(WAIT));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
        assertSame(job.result(), session.model());
        assertEquals(List.of(job.result()), told);
        assertTrue(session.readyProperty().get());
        assertEquals("llava-shapes  ·  llava", session.modelNameProperty().get());
        assertEquals("llava", session.card().modelType(), "the card is made once, while opening");
        assertTrue(session.statusProperty().get().startsWith("Opened ")
                && session.statusProperty().get().endsWith("llava-shapes"), session.statusProperty().get());
        assertFalse(session.busyProperty().get());
        assertEquals("", session.jobTitleProperty().get());
        assertEquals(0, session.progressProperty().get());
    }

    @Test
    void aFolderThatIsNoModelFailsWithTheReasonAndOpensNothing(@TempDir Path empty) throws Exception {
        ModelSession session = direct();
        Job<LoadedModel> job = session.openModel(empty);
        assertTrue(job.await(WAIT));
        assertEquals(Job.State.FAILED, job.state());
        String status = session.statusProperty().get();
        assertTrue(status.startsWith("Opening " + empty.getFileName() + " failed: "), status);
        assertTrue(status.length() > ("Opening " + empty.getFileName() + " failed: ").length(), "the reason is given");
        assertNull(session.model());
        assertFalse(session.readyProperty().get());
    }

    @Test
    void runsWorkOnTheWorkerAndDeliversOnTheUiExecutor() throws Exception {
        ModelSession session = onUiThread();
        List<Double> progressSeen = new CopyOnWriteArrayList<>();
        session.progressProperty().addListener((obs, old, v) -> progressSeen.add(v.doubleValue()));
        List<String> threads = new CopyOnWriteArrayList<>();
        CountDownLatch halfway = new CountDownLatch(1);
        CountDownLatch proceed = new CountDownLatch(1);
        Job<Integer> job = session.run("Counting", p -> {
            threads.add("work:" + Thread.currentThread().getName());
            p.update(0.5, "halfway");
            halfway.countDown();
            await(proceed);
            return 42;
        }, v -> threads.add("done:" + Thread.currentThread().getName() + ":" + v));

        assertTrue(halfway.await(10, TimeUnit.SECONDS));
        waitFor(() -> "halfway".equals(session.statusProperty().get()));
        assertTrue(session.busyProperty().get());
        assertEquals("Counting", session.jobTitleProperty().get());
        proceed.countDown();
        assertTrue(job.await(WAIT));

        assertEquals(List.of("work:workbench-worker", "done:test-ui:42"), threads);
        assertEquals(Job.State.SUCCEEDED, job.state());
        assertEquals(42, job.result());
        assertTrue(progressSeen.contains(0.5), progressSeen.toString());
        assertTrue(progressSeen.contains(ModelSession.INDETERMINATE), "unknown until the job reports");
        assertTrue(session.statusProperty().get().startsWith("Counting — done in "), session.statusProperty().get());
        assertFalse(session.busyProperty().get());
    }

    @Test
    void cancelStopsTheRunningJobWithinASecondAndTheQueuedOnesNeverStart() throws Exception {
        ModelSession session = direct();
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean doneCalled = new AtomicBoolean();
        AtomicBoolean queuedRan = new AtomicBoolean();
        Job<Integer> spinning = session.run("Spinning", p -> {
            started.countDown();
            while (true) {
                p.checkCancelled();
                sleep(20);
            }
        }, v -> doneCalled.set(true));
        Job<Integer> queued = session.run("Queued", p -> {
            queuedRan.set(true);
            return 1;
        }, v -> doneCalled.set(true));
        assertTrue(started.await(10, TimeUnit.SECONDS));
        assertEquals(Job.State.QUEUED, queued.state());

        long t0 = System.nanoTime();
        session.cancel();
        assertTrue(spinning.await(Duration.ofSeconds(1)), "the running job ends within a second");
        assertTrue(queued.await(Duration.ofSeconds(1)));
        assertTrue(System.nanoTime() - t0 < 1_000_000_000L);

        assertEquals(Job.State.CANCELLED, spinning.state());
        assertEquals(Job.State.CANCELLED, queued.state());
        assertFalse(queuedRan.get());
        assertFalse(doneCalled.get());
        assertFalse(session.busyProperty().get());
        assertTrue(session.statusProperty().get().endsWith("— cancelled"), session.statusProperty().get());
    }

    @Test
    void partialResultsArriveInOrderAndAllBeforeTheResult() throws Exception {
        ModelSession session = onUiThread();
        List<Integer> partials = new ArrayList<>();
        int[] seenAtDone = {-1};
        Job<String> job = session.<String, Integer>stream("Streaming", (p, publish) -> {
            for (int i = 0; i < 500; i++) {
                publish.accept(i);
            }
            return "all sent";
        }, partials::add, v -> seenAtDone[0] = partials.size());
        assertTrue(job.await(WAIT));
        assertEquals(IntStream.range(0, 500).boxed().toList(), partials);
        assertEquals(500, seenAtDone[0]);
        assertEquals("all sent", job.result());
    }

    @Test
    void anErrorBecomesTheStatusLineAndTheWorkerGoesOn() throws Exception {
        ModelSession session = direct();
        Job<Integer> failing = session.run("Factoring", p -> {
            throw new IllegalStateException("matrix 'w' is singular");
        }, v -> fail("no result to deliver"));
        assertTrue(failing.await(WAIT));
        assertEquals(Job.State.FAILED, failing.state());
        assertInstanceOf(IllegalStateException.class, failing.error());
        assertEquals("Factoring failed: matrix 'w' is singular", session.statusProperty().get());
        assertFalse(session.busyProperty().get());

        Job<Integer> next = session.run("Next", p -> 7, v -> { });
        assertTrue(next.await(WAIT));
        assertEquals(7, next.result());
    }

    @Test
    void jobsRunOneAtATimeInTheOrderGiven() throws Exception {
        ModelSession session = direct();
        AtomicInteger active = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        List<Integer> order = new CopyOnWriteArrayList<>();
        List<Job<Integer>> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            int id = i;
            jobs.add(session.run("Job " + i, p -> {
                mostAtOnce.accumulateAndGet(active.incrementAndGet(), Math::max);
                sleep(30);
                order.add(id);
                active.decrementAndGet();
                return id;
            }, v -> { }));
        }
        for (Job<Integer> j : jobs) {
            assertTrue(j.await(WAIT));
        }
        assertEquals(1, mostAtOnce.get());
        assertEquals(List.of(0, 1, 2, 3), order);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void waitFor(BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > end) {
                fail("condition not met within 10 s");
            }
            Thread.sleep(10);
        }
    }
}
