package org.lvlmworkbench.core.analysis.tokens;

import ai.djl.ndarray.NDArray;
import org.lvlmworkbench.core.analysis.probe.Pass;
import org.lvlmworkbench.core.analysis.probe.PassObserver;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;

/**
 * Reads every decoder layer's attention pattern in one full pass and keeps, per layer, the
 * head-mean rows of the query positions towards the image tokens, the per-head rows of the answer
 * query, and the head-mean matrix restricted to positions up to the last query (for rollout).
 */
final class AttentionObserver implements PassObserver {

    private final int[] images;
    private final int[] queries;
    private final int answerQuery;
    private final float[][][] headMean;
    private final float[][][] perHead;
    private final float[][][] meanMatrix; // [layer][row][col] for rows/cols 0..last query

    AttentionObserver(int layers, int[] images, int[] queries, int answerQuery) {
        this.images = images;
        this.queries = queries;
        this.answerQuery = answerQuery;
        this.headMean = new float[layers][][];
        this.perHead = new float[layers][][];
        this.meanMatrix = new float[layers][][];
    }

    @Override
    public void beforePass(Pass pass, Hooks hooks) {
        if (!pass.isPrefill()) {
            return;
        }
        hooks.replace(point -> point.startsWith("text.blocks.") && point.endsWith(".attn.pattern"), (point, pattern) -> {
            read(HookPoints.layerOf(point), pattern);
            return pattern;
        });
    }

    /** {@code pattern} {@code [1, heads, T, T]}. */
    private void read(int layer, NDArray pattern) {
        int heads = (int) pattern.getShape().get(1);
        int t = (int) pattern.getShape().get(2);
        float[] a = pattern.toFloatArray();
        int last = queries[queries.length - 1] + 1;
        float[][] mean = new float[last][last];
        for (int h = 0; h < heads; h++) {
            for (int r = 0; r < last; r++) {
                int base = (h * t + r) * t;
                for (int c = 0; c <= r; c++) {
                    mean[r][c] += a[base + c] / heads;
                }
            }
        }
        float[][] rows = new float[queries.length][images.length];
        for (int q = 0; q < queries.length; q++) {
            for (int i = 0; i < images.length; i++) {
                rows[q][i] = mean[queries[q]][images[i]];
            }
        }
        float[][] byHead = new float[heads][images.length];
        for (int h = 0; h < heads; h++) {
            int base = (h * t + answerQuery) * t;
            for (int i = 0; i < images.length; i++) {
                byHead[h][i] = a[base + images[i]];
            }
        }
        headMean[layer] = rows;
        perHead[layer] = byHead;
        meanMatrix[layer] = mean;
    }

    float[][][] headMean() {
        return headMean;
    }

    float[][][] perHead() {
        return perHead;
    }

    /**
     * Rollout rows {@code [query][image]}: for each query, {@code r = e_q}, then for each layer from
     * the top, {@code r ← r·Â_ℓ} with {@code Â_ℓ = ½Ā_ℓ + ½I} (Ā rows sum to one, so Â's do too).
     */
    float[][] rollout() {
        int layers = meanMatrix.length;
        int n = meanMatrix[0].length;
        float[][] out = new float[queries.length][images.length];
        for (int q = 0; q < queries.length; q++) {
            double[] r = new double[n];
            r[queries[q]] = 1;
            for (int l = layers - 1; l >= 0; l--) {
                double[] next = new double[n];
                float[][] m = meanMatrix[l];
                for (int row = 0; row < n; row++) {
                    if (r[row] == 0) {
                        continue;
                    }
                    next[row] += 0.5 * r[row];
                    for (int c = 0; c <= row; c++) {
                        next[c] += 0.5 * r[row] * m[row][c];
                    }
                }
                r = next;
            }
            for (int i = 0; i < images.length; i++) {
                out[q][i] = (float) r[images[i]];
            }
        }
        return out;
    }
}
