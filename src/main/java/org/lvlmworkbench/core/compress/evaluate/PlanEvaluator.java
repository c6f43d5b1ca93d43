package org.lvlmworkbench.core.compress.evaluate;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.eval.Evaluator;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Cancellation;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelFingerprint;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * Live evaluation of compression plans: each candidate model (the original with a plan applied) is
 * compared with the reference (the original) on the first N items of an evaluation set, item by item.
 * Per item both answer greedily as {@code Evaluator} answers (same generation, same exact-match rule);
 * the result also holds whether the two answers agree, {@code KL(P_ref ‖ P_cand)} of the first answer
 * token's distribution, the measured prefill and decode times and the operations each model ran
 * ({@link FlopCounter}, observed during the same generation). Each item's result goes to the listener
 * as it finishes.
 *
 * <p>The reference side is computed once per item and kept in a {@link ReferenceCache} (share one cache
 * between evaluators of the same reference), so a second plan runs only its candidate. Its times were
 * measured when it ran; compare them with the candidate's on an otherwise equally loaded machine.
 *
 * <p>Cancellation: the progress's cancel flag, and a newer {@link #evaluate} call on the same evaluator
 * (a new plan supersedes the running one), stop the run within about one matrix product: the flag
 * reaches inside forward passes through {@link Cancellation}. The newer call waits for the older to
 * stop, so one evaluation runs at a time. A stopped run returns the items it finished, marked cancelled;
 * it throws nothing for the cancel.
 */
public final class PlanEvaluator {

    private final LoadedModel reference;
    private final EvalSet set;
    private final ReferenceCache cache;
    private final String fingerprint;
    private final String setKey;
    private final ReentrantLock running = new ReentrantLock();
    private final AtomicReference<AtomicBoolean> current = new AtomicReference<>();
    private FlopModel referenceFlops;

    public PlanEvaluator(LoadedModel reference, EvalSet set, ReferenceCache cache) {
        this.reference = reference;
        this.set = set;
        this.cache = cache;
        this.fingerprint = reference.folder() != null ? ModelFingerprint.of(reference.folder())
                : "in-memory@" + System.identityHashCode(reference);
        this.setKey = set.file() != null ? set.file().toAbsolutePath().normalize().toString()
                : "in-memory@" + System.identityHashCode(set);
    }

    public ReferenceCache cache() {
        return cache;
    }

    /** Stops the running evaluation, if any, as a newer plan would. */
    public void cancelRunning() {
        AtomicBoolean c = current.get();
        if (c != null) {
            c.set(true);
        }
    }

    /**
     * Evaluates {@code candidate} on {@code settings.items()} items from {@code settings.firstItem()} on
     * (fewer where the file ends first).
     *
     * @param listener receives each item's result as it finishes, on this thread; may be null
     * @param progress reports the fraction done; its cancel flag stops the run
     */
    public EvaluationResult evaluate(LoadedModel candidate, EvaluationSettings settings, Consumer<ItemResult> listener,
            Progress progress) {
        if (candidate.model().decoder().vocabSize() != reference.model().decoder().vocabSize()) {
            throw new IllegalArgumentException("the candidate's vocabulary (" + candidate.model().decoder().vocabSize()
                    + " tokens) differs from the reference's (" + reference.model().decoder().vocabSize() + ")");
        }
        Progress p = progress == null ? Progress.NONE : progress;
        AtomicBoolean superseded = new AtomicBoolean();
        AtomicBoolean previous = current.getAndSet(superseded);
        if (previous != null) {
            previous.set(true);
        }
        BooleanSupplier stop = () -> superseded.get() || p.isCancelled();
        int first = settings.firstItem();
        if (settings.startsPast(set.items().size())) {
            String file = set.file() == null ? "the evaluation set" : set.file().toString();
            throw new IllegalArgumentException(file + " holds " + set.items().size() + " items: none is left from item "
                    + (first + 1) + " on (the first " + first + " are the plan's calibration items)");
        }
        int n = Math.min(settings.items(), set.items().size() - first);
        List<ItemResult> done = new ArrayList<>();
        boolean cancelled = false;
        running.lock();
        try {
            FlopModel candidateFlops = FlopModel.of(candidate.model());
            Cancellation.watching(stop, () -> {
                for (int i = 0; i < n; i++) {
                    if (stop.getAsBoolean()) {
                        throw new CancellationException("cancelled");
                    }
                    p.update((double) i / n, String.format(Locale.ROOT, "evaluating item %d of %d", i + 1, n));
                    ItemResult r = item(first + i, candidate, candidateFlops, settings.maxNewTokens());
                    done.add(r);
                    if (listener != null) {
                        listener.accept(r);
                    }
                }
                return null;
            });
        } catch (CancellationException e) {
            cancelled = true;
        } finally {
            current.compareAndSet(superseded, null);
            running.unlock();
        }
        p.update((double) done.size() / n, String.format(Locale.ROOT, "evaluated %d of %d items%s", done.size(), n,
                cancelled ? " (cancelled)" : ""));
        return new EvaluationResult(done, EvaluationSummary.of(done, n, cancelled, settings, reference.model(),
                candidate.model()));
    }

    private ItemResult item(int index, LoadedModel candidate, FlopModel candidateFlops, int maxNewTokens) {
        EvalItem item = set.items().get(index);
        RgbImage image = item.image() == null ? null : RgbImage.read(item.image());
        ReferenceCache.Key key = new ReferenceCache.Key(fingerprint, setKey, index, maxNewTokens);
        ReferenceCache.Entry ref = cache.get(key, item);
        boolean fromCache = ref != null;
        if (ref == null) {
            if (referenceFlops == null) {
                referenceFlops = FlopModel.of(reference.model());
            }
            FlopCounter counter = new FlopCounter(referenceFlops, true);
            AnswerRun run = answer(reference, counter, item, image, maxNewTokens);
            ref = new ReferenceCache.Entry(item, run, counter.firstLogits());
            cache.put(key, ref);
        }
        FlopCounter counter = new FlopCounter(candidateFlops, true);
        AnswerRun cand = answer(candidate, counter, item, image, maxNewTokens);
        double kl = Divergence.kl(ref.firstLogits(), counter.firstLogits());
        return new ItemResult(index, item.type(), item.prompt(), item.answer(), ref.run(), cand,
                Evaluator.matches(ref.run().answer(), item.answer()), Evaluator.matches(cand.answer(), item.answer()),
                Evaluator.matches(cand.answer(), ref.run().answer()), kl, fromCache);
    }

    private static AnswerRun answer(LoadedModel model, FlopCounter counter, EvalItem item, RgbImage image,
            int maxNewTokens) {
        Hooks hooks = counter.attach(new Hooks());
        GenerationResult r = Generator.answer(model, item.prompt(), image, GenerationSettings.greedy(maxNewTokens),
                hooks, null);
        return new AnswerRun(r.text(), r.newIds().length, r.prefillNanos(), r.decodeNanos(), counter.decodeSteps(),
                counter.prefill(), counter.decode().total());
    }
}
