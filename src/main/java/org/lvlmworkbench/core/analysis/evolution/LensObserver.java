package org.lvlmworkbench.core.analysis.evolution;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.analysis.probe.Pass;
import org.lvlmworkbench.core.analysis.probe.PassObserver;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.TextDecoder;
import org.lvlmworkbench.core.processing.TextTokenizer;

/**
 * Reads the residual stream at the followed positions of every pass (the embeddings and each
 * block's output) and turns it into lens predictions as soon as the pass ends, so only plain numbers
 * outlive the pass.
 */
final class LensObserver implements PassObserver {

    /** Rows per lens product: at most the mat-vec kernel's, so the lens computes exactly as generation does. */
    private static final int ROWS_PER_PRODUCT = 4;

    private final LoadedModel model;
    private final EvolutionSettings settings;
    private final TokenTable prompt;
    private final long[] promptIds;
    private final long[] expected;
    private final int entries;
    private final int hidden;
    private final List<PositionEvolution> out = new ArrayList<>();
    private float[][] answerState;

    private int[] rows;
    private float[][][] captured; // [entry][row][hidden]

    LensObserver(LoadedModel model, EvolutionSettings settings, TokenTable prompt, long[] promptIds, long[] expected) {
        this.model = model;
        this.settings = settings;
        this.prompt = prompt;
        this.promptIds = promptIds;
        this.expected = expected;
        this.entries = model.model().decoder().numLayers() + 1;
        this.hidden = model.model().decoder().hiddenSize();
    }

    List<PositionEvolution> positions() {
        return out;
    }

    float[][] answerState() {
        return answerState;
    }

    @Override
    public void beforePass(Pass pass, Hooks hooks) {
        if (pass.isPrefill()) {
            int last = pass.length() - 1;
            rows = settings.promptPositions() ? prompt.positions(t -> !t.isImage()) : new int[] {last};
            if (rows[rows.length - 1] != last) {
                int[] withLast = java.util.Arrays.copyOf(rows, rows.length + 1);
                withLast[rows.length] = last;
                rows = withLast;
            }
        } else {
            rows = new int[] {0};
        }
        captured = new float[entries][][];
        hooks.replace(point -> point.equals(HookPoints.TEXT_EMBED)
                || point.startsWith("text.blocks.") && point.endsWith(".resid_post"), (point, x) -> {
                    int entry = point.equals(HookPoints.TEXT_EMBED) ? 0 : HookPoints.layerOf(point) + 1;
                    captured[entry] = gather(x, rows);
                    return x;
                });
    }

    /** Rows {@code rows} of {@code x} ({@code [1, T, hidden]}) as Java arrays. */
    private float[][] gather(NDArray x, int[] positions) {
        float[] all = x.toFloatArray();
        float[][] g = new float[positions.length][hidden];
        for (int i = 0; i < positions.length; i++) {
            System.arraycopy(all, positions[i] * hidden, g[i], 0, hidden);
        }
        return g;
    }

    @Override
    public void afterPass(Pass pass, long producedToken) {
        for (int e = 0; e < entries; e++) {
            if (captured[e] == null) {
                throw new IllegalStateException("the pass did not reach lens entry " + e);
            }
        }
        float[][] logits = lensLogits();
        int vocab = model.model().decoder().vocabSize();
        for (int r = 0; r < rows.length; r++) {
            int position = pass.from() + rows[r];
            boolean predicting = position == pass.predictingPosition();
            int step = predicting ? pass.index() : -1;
            long emitted = predicting ? producedToken : position + 1 < promptIds.length ? promptIds[position + 1] : -1;
            long expect = predicting && step < expected.length ? expected[step] : -1;
            out.add(evolution(logits, r, vocab, position, step, emitted, expect));
            if (predicting && pass.isPrefill()) {
                answerState = new float[entries][];
                for (int e = 0; e < entries; e++) {
                    answerState[e] = captured[e][r];
                }
            }
        }
        captured = null;
    }

    /** Lens logits {@code [entry · rows + row][vocab]}. */
    private float[][] lensLogits() {
        int n = entries * rows.length;
        float[][] logits = new float[n][];
        List<Integer> normed = new ArrayList<>();
        List<Integer> raw = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int entry = i / rows.length;
            // The last entry is the model's own output: normalised once, as the model does.
            (settings.lens() == LensMode.NORMED || entry == entries - 1 ? normed : raw).add(i);
        }
        try (NDManager scope = model.model().manager().newSubManager()) {
            unembed(scope, normed, true, logits);
            unembed(scope, raw, false, logits);
        }
        return logits;
    }

    /** Logits of the listed rows, a few rows per product. */
    private void unembed(NDManager scope, List<Integer> which, boolean norm, float[][] logits) {
        TextDecoder decoder = model.model().decoder();
        for (int start = 0; start < which.size(); start += ROWS_PER_PRODUCT) {
            int count = Math.min(ROWS_PER_PRODUCT, which.size() - start);
            float[] h = new float[count * hidden];
            for (int i = 0; i < count; i++) {
                int index = which.get(start + i);
                System.arraycopy(captured[index / rows.length][index % rows.length], 0, h, i * hidden, hidden);
            }
            try (NDManager chunk = scope.newSubManager()) {
                NDArray x = chunk.create(h, new Shape(1, count, hidden)); // [1, rows, hidden]
                float[] z = decoder.unembed(norm ? decoder.finalNorm(x) : x).toFloatArray(); // [1, rows, vocab]
                int vocab = z.length / count;
                for (int i = 0; i < count; i++) {
                    logits[which.get(start + i)] = java.util.Arrays.copyOfRange(z, i * vocab, (i + 1) * vocab);
                }
            }
        }
    }

    private PositionEvolution evolution(float[][] logits, int row, int vocab, int position, int step, long emitted,
            long expect) {
        TextTokenizer tokenizer = model.tokenizer();
        double[][] p = new double[entries][];
        List<LayerPrediction> layers = new ArrayList<>();
        for (int e = 0; e < entries; e++) {
            p[e] = JensenShannon.softmax(logits[e * rows.length + row], 0, vocab);
            int[] top = topK(p[e], settings.topK());
            long[] ids = new long[top.length];
            String[] texts = new String[top.length];
            double[] probs = new double[top.length];
            for (int i = 0; i < top.length; i++) {
                ids[i] = top[i];
                texts[i] = tokenizer.decode(new long[] {top[i]}, false);
                probs[i] = p[e][top[i]];
            }
            layers.add(new LayerPrediction(e, ids, texts, probs, emitted >= 0 ? p[e][(int) emitted] : Double.NaN,
                    emitted >= 0 ? rank(p[e], (int) emitted) : 0, expect >= 0 ? p[e][(int) expect] : Double.NaN,
                    expect >= 0 ? rank(p[e], (int) expect) : 0, JensenShannon.entropyBits(p[e])));
        }
        double[] next = new double[entries - 1];
        double[] toFinal = new double[entries];
        for (int e = 0; e < entries; e++) {
            if (e < entries - 1) {
                next[e] = JensenShannon.bits(p[e], p[e + 1]);
            }
            toFinal[e] = JensenShannon.bits(p[e], p[entries - 1]);
        }
        return new PositionEvolution(position, step, emitted, expect, layers, next, toFinal,
                StageDetector.detect(next, settings.stages()));
    }

    /** Indices of the k largest values, largest first (lower index first on ties). */
    static int[] topK(double[] p, int k) {
        int n = Math.min(k, p.length);
        int[] best = new int[n];
        java.util.Arrays.fill(best, -1);
        for (int i = 0; i < p.length; i++) {
            int slot = n;
            while (slot > 0 && (best[slot - 1] < 0 || p[i] > p[best[slot - 1]])) {
                slot--;
            }
            if (slot < n) {
                System.arraycopy(best, slot, best, slot + 1, n - slot - 1);
                best[slot] = i;
            }
        }
        return best;
    }

    /** 1 + how many outcomes are strictly more likely. */
    static int rank(double[] p, int id) {
        int r = 1;
        for (double v : p) {
            if (v > p[id]) {
                r++;
            }
        }
        return r;
    }
}
