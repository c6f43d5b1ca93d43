package org.lvlmworkbench.core.analysis.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lvlmworkbench.core.eval.Evaluator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.InputLimits;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.ForwardInputs;
import org.lvlmworkbench.core.nn.KvCache;

/**
 * Runs probe items greedily (prefill, then one pass per new token over the KV cache) with the
 * observers' hooks on every pass. Each pass's tensors are freed when it ends: observers keep plain
 * numbers, so a run's memory is the model's plus what the observers chose to keep.
 */
public final class ProbeRunner {

    private ProbeRunner() {
    }

    /**
     * Runs {@code item} for at most {@code maxNewTokens} tokens, stopping at end-of-sequence.
     * Refuses, before running, inputs the model cannot take ({@link InputLimits}).
     */
    public static ProbeRun run(LoadedModel model, ProbeItem item, int maxNewTokens, List<PassObserver> observers,
            Progress progress) {
        try (NDManager scope = model.model().manager().newSubManager()) {
            return run(model, ProbeEncoder.encode(model, item, scope), maxNewTokens, observers, progress);
        }
    }

    /** {@link #run(LoadedModel, ProbeItem, int, List, Progress)} for an item already encoded (its pixels stay the caller's). */
    public static ProbeRun run(LoadedModel model, EncodedProbe probe, int maxNewTokens, List<PassObserver> observers,
            Progress progress) {
        ProbeItem item = probe.item();
        try (NDManager scope = model.model().manager().newSubManager()) {
            Hooks probeHooks = new Hooks();
            InputLimits.check(model, probe.promptIds().length, maxNewTokens, probe.image() == null ? 0 : 1, probeHooks);
            int t = probe.promptIds().length;
            long[] generated = new long[maxNewTokens];
            int count = 0;
            List<TokenInfo> newTokens = new ArrayList<>();
            try (KvCache cache = model.model().newCache(scope)) {
                NDArray ids = scope.create(probe.promptIds(), new Shape(1, t));
                NDArray pixels = probe.pixelValues();
                for (int pass = 0; count < maxNewTokens; pass++) {
                    progress.checkCancelled();
                    Pass p = pass == 0 ? new Pass(0, 0, t) : new Pass(pass, t + pass - 1, t + pass);
                    Hooks hooks = new Hooks();
                    for (PassObserver o : observers) {
                        o.beforePass(p, hooks);
                    }
                    long token;
                    try (NDManager step = scope.newSubManager()) {
                        NDArray input = pass == 0 ? ids : step.create(new long[] {generated[count - 1]}, new Shape(1, 1));
                        ForwardInputs in = ForwardInputs.of(input, pass == 0 ? pixels : null).lastLogitsOnly();
                        NDArray logits = model.model().forward(in, hooks, cache);
                        token = argmax(logits.toFloatArray());
                    }
                    boolean end = model.eosTokenIds().contains(token);
                    for (PassObserver o : observers) {
                        o.afterPass(p, end ? -1 : token);
                    }
                    if (end) {
                        break;
                    }
                    generated[count] = token;
                    newTokens.add(ProbeEncoder.generated(model.tokenizer(), t + count, token, count));
                    count++;
                }
            }
            long[] out = Arrays.copyOf(generated, count);
            String answer = model.tokenizer().decode(out, true);
            Boolean correct = item.expected() == null ? null
                    : Evaluator.normalize(answer).equals(Evaluator.normalize(item.expected()));
            return new ProbeRun(item, probe.table().withGenerated(newTokens), out, probe.expectedIds(), answer, correct);
        }
    }

    /** Greedy choice, lowest id on ties (as torch's argmax). */
    static long argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }
}
