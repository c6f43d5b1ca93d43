package org.lvlmworkbench.core.compress.depth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.lvlmworkbench.core.analysis.probe.EncodedProbe;
import org.lvlmworkbench.core.analysis.probe.ProbeEncoder;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.similarity.BlockInfluence;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.InputLimits;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.ForwardInputs;

/**
 * How much each decoder layer and sub-layer changes the residual stream on a calibration set, the
 * scores depth compression ranks layers by, each a mean over the selected tokens of {@code 1 − cos}:
 * <ul>
 * <li>{@link #blockInfluence}: ShortGPT's Block Influence (arXiv 2403.03853), stream entering vs
 *     leaving the block ({@code resid_pre} → {@code resid_post});</li>
 * <li>{@link #attentionImportance}: LLM-Drop's (arXiv 2406.15786) {@code 1 − cos(X, X + Attn(LN(X)))},
 *     {@code resid_pre} → {@code resid_mid};</li>
 * <li>{@link #mlpImportance}: the same for the MLP, {@code resid_mid} → {@code resid_post}.</li>
 * </ul>
 * The tokens are those of {@code selection} (Short-LVLM's lesson: with many image tokens, statistics
 * over all tokens are dominated by them; its own token-importance score is not published, so the
 * choice offered is all, image or text tokens). Prefill only, nothing generated. A sub-layer a plan
 * already removed scores 0 (it changes nothing).
 */
public record DepthScores(TokenSelection selection, int items, double[] blockInfluence, double[] attentionImportance,
        double[] mlpImportance) {

    public int layers() {
        return blockInfluence.length;
    }

    public static DepthScores measure(LoadedModel model, List<ProbeItem> items, TokenSelection selection,
            Progress progress) {
        int layers = model.model().decoder().numLayers();
        BlockInfluence block = new BlockInfluence(layers);
        BlockInfluence attention = new BlockInfluence(layers);
        BlockInfluence mlp = new BlockInfluence(layers);
        for (int i = 0; i < items.size(); i++) {
            progress.checkCancelled();
            progress.update((double) i / items.size(), "depth scores: item " + (i + 1) + " of " + items.size());
            try (NDManager scope = model.model().manager().newSubManager()) {
                EncodedProbe probe = ProbeEncoder.encode(model, items.get(i), scope);
                int[] rows = probe.table().positions(selection::accepts);
                if (rows.length == 0) {
                    continue;
                }
                float[][][] pre = new float[layers][][];
                float[][][] mid = new float[layers][][];
                Hooks hooks = new Hooks().replace(point -> point.startsWith("text.blocks.")
                        && (point.endsWith(".resid_pre") || point.endsWith(".resid_mid") || point.endsWith(".resid_post")),
                        (point, x) -> {
                            int layer = HookPoints.layerOf(point);
                            float[][] r = rows(x, rows);
                            if (point.endsWith(".resid_pre")) {
                                pre[layer] = r;
                            } else if (point.endsWith(".resid_mid")) {
                                mid[layer] = r;
                                attention.add(layer, pre[layer], r);
                            } else {
                                block.add(layer, pre[layer], r);
                                mlp.add(layer, mid[layer], r);
                                pre[layer] = null;
                                mid[layer] = null;
                            }
                            return x;
                        });
                InputLimits.check(model, probe.promptIds().length, 0, probe.pixelValues() == null ? 0 : 1, hooks);
                NDArray ids = scope.create(probe.promptIds(), new Shape(1, probe.promptIds().length));
                model.model().forward(ForwardInputs.of(ids, probe.pixelValues()).lastLogitsOnly(), hooks, null).close();
            }
        }
        progress.update(1, "depth scores: done");
        return new DepthScores(selection, items.size(), block.influence(), attention.influence(), mlp.influence());
    }

    /** Rows {@code positions} of {@code x} ({@code [1, T, width]}), each a float array. */
    static float[][] rows(NDArray x, int[] positions) {
        int width = (int) x.getShape().get(2);
        float[] all = x.toFloatArray();
        float[][] out = new float[positions.length][];
        for (int i = 0; i < positions.length; i++) {
            out[i] = java.util.Arrays.copyOfRange(all, positions[i] * width, (positions[i] + 1) * width);
        }
        return out;
    }
}
