package org.lvlmworkbench.core.analysis.tokens;

import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.analysis.probe.Pass;
import org.lvlmworkbench.core.analysis.probe.PassObserver;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeRun;
import org.lvlmworkbench.core.analysis.probe.ProbeRunner;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/**
 * One item run through the model under a visual-token pruning policy, with what each stage kept: the
 * prefill's {@code text.blocks.K.kept_positions} hook points, copied out as plain numbers while the
 * pass runs (the hook hands the positions over as a tensor; nothing of it outlives the pass).
 *
 * @param stageLayers the layer of each stage, in order
 * @param kept        the original positions each stage kept, ascending
 * @param answer      the pruned model's answer
 * @param table       the run's token table (positions, patch cells)
 */
public record PrunedRun(int[] stageLayers, List<long[]> kept, String answer, TokenTable table) {

    /** Up to 8 answer tokens, as the evaluation. */
    public static final int MAX_NEW_TOKENS = 8;

    /** Runs {@code item} on {@code model} under {@code policy}; call it on the worker. */
    public static PrunedRun of(LoadedModel model, ProbeItem item, VisualTokenPruning policy, Progress progress) {
        List<VisualTokenPruning.Stage> stages = policy.stages();
        int[] layers = stages.stream().mapToInt(VisualTokenPruning.Stage::layer).toArray();
        long[][] kept = new long[layers.length][];
        PassObserver capture = new PassObserver() {
            @Override
            public void beforePass(Pass pass, Hooks hooks) {
                if (pass.index() != 0) {
                    return; // the prompt's pass prunes; later passes see the pruned cache
                }
                for (int s = 0; s < layers.length; s++) {
                    int stage = s;
                    hooks.replace(HookPoints.keptPositions(layers[s]), (point, positions) -> {
                        kept[stage] = positions.toLongArray();
                        return positions;
                    });
                }
            }
        };
        ProbeRun run = ProbeRunner.run(model.withPruning(policy), item, MAX_NEW_TOKENS, List.of(capture), progress);
        List<long[]> out = new ArrayList<>();
        for (int s = 0; s < kept.length; s++) {
            if (kept[s] == null) {
                throw new IllegalStateException("pruning stage " + s + " (before layer " + layers[s]
                        + ") did not run: the item has no image tokens to prune");
            }
            out.add(kept[s]);
        }
        return new PrunedRun(layers, out, run.answer(), run.table());
    }
}
