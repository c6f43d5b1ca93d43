package org.lvlmworkbench.core.analysis.tokens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.lvlmworkbench.core.analysis.probe.EncodedProbe;
import org.lvlmworkbench.core.analysis.probe.Pass;
import org.lvlmworkbench.core.analysis.probe.ProbeEncoder;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeRun;
import org.lvlmworkbench.core.analysis.probe.ProbeRunner;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.InputLimits;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.ForwardInputs;

/**
 * Which image patches the answer looks at: per decoder layer, the attention from every text
 * position (the answer's above all) to every image token, head-mean and per head; attention rollout
 * for those rows; FastV's score. The model first answers greedily; then one pass over prompt and
 * answer reads every layer's attention pattern, so generated positions are queries like the prompt's.
 * Raw attention is what this engine computes anyway (its attention is always the explicit softmax,
 * never a fused kernel that hides the pattern).
 */
public final class VisualTokenImportance {

    private VisualTokenImportance() {
    }

    public static TokenImportanceResult run(LoadedModel model, ProbeSet probes, VisualTokenSettings settings,
            Progress progress, Consumer<ItemTokenImportance> onItem) {
        if (!model.acceptsImages()) {
            throw new IllegalArgumentException(model.folder() + ": a " + model.model().modelType()
                    + " model takes no images, so it has no visual tokens");
        }
        List<ItemTokenImportance> items = new ArrayList<>();
        int n = probes.size();
        for (int i = 0; i < n; i++) {
            ProbeItem item = probes.items().get(i);
            if (item.image() == null) {
                throw new IllegalArgumentException("probe item " + item.id() + " has no image");
            }
            progress.update((double) i / n, "visual tokens: item " + (i + 1) + " of " + n);
            ItemTokenImportance result = runItem(model, item, settings, progress);
            items.add(result);
            if (onItem != null) {
                onItem.accept(result);
            }
        }
        progress.update(1, "visual tokens: " + n + " items");
        return new TokenImportanceResult(settings, model.folder().toString(), probes.name(), probes.fingerprint(),
                model.model().decoder().numLayers(), items);
    }

    public static ItemTokenImportance runItem(LoadedModel model, ProbeItem item, VisualTokenSettings settings,
            Progress progress) {
        try (NDManager scope = model.model().manager().newSubManager()) {
            EncodedProbe probe = ProbeEncoder.encode(model, item, scope);
            ProbeRun run = ProbeRunner.run(model, probe, settings.maxNewTokens(), List.of(), progress);
            progress.checkCancelled();
            TokenTable table = run.table();
            long[] ids = new long[table.size()];
            for (int p = 0; p < ids.length; p++) {
                ids[p] = table.get(p).tokenId();
            }
            int[] images = table.imagePositions();
            int[] queries = table.textPositions();
            int answerQuery = table.lastPromptPosition();
            int layers = model.model().decoder().numLayers();
            AttentionObserver attention = new AttentionObserver(layers, images, queries, answerQuery);
            Hooks hooks = new Hooks();
            attention.beforePass(new Pass(0, 0, ids.length), hooks);
            InputLimits.check(model, ids.length, 0, 1, hooks);
            NDArray input = scope.create(ids, new Shape(1, ids.length));
            model.model().forward(ForwardInputs.of(input, probe.pixelValues()).lastLogitsOnly(), hooks, null).close();
            return new ItemTokenImportance(run, images, queries, answerQuery, attention.headMean(), attention.perHead(),
                    attention.rollout());
        }
    }
}
