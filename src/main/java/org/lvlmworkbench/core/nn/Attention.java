package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.lvlmworkbench.core.hooks.Hooks;

/** Scaled dot-product attention with grouped key/value heads and an explicit, hookable pattern. */
public final class Attention {

    /** HF's mask value: the most negative float32, so masked scores vanish in softmax. */
    public static final float MASKED = -Float.MAX_VALUE;

    private Attention() {
    }

    /** {@code [B, T, H·D]} → {@code [B, H, T, D]}: one slice per head. */
    public static NDArray splitHeads(NDArray x, long heads) {
        Shape s = x.getShape();
        return x.reshape(s.get(0), s.get(1), heads, s.get(2) / heads).transpose(0, 2, 1, 3);
    }

    /** {@code [B, H, T, D]} → {@code [B, T, H·D]}: heads side by side again, as the output projection reads them. */
    public static NDArray mergeHeads(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 1, 3).reshape(s.get(0), s.get(2), s.get(1) * s.get(3));
    }

    /**
     * @param q       {@code [B, H, T, D]}
     * @param k       {@code [B, KVH, S, D]}, H a multiple of KVH; head h reads kv head h / (H/KVH)
     * @param v       {@code [B, KVH, S, D]}
     * @param mask    additive {@code [T, S]} mask, or null for full attention
     * @return {@code [B, H, T, D]}
     */
    public static NDArray attend(NDArray q, NDArray k, NDArray v, NDArray mask, Hooks hooks, String patternPoint) {
        long b = q.getShape().get(0);
        long h = q.getShape().get(1);
        long t = q.getShape().get(2);
        long s = k.getShape().get(2);
        long rowBytes = b * h * s * Float.BYTES;
        long chunk = Math.max(1, chunkBytes() / rowBytes);
        if (t <= chunk || hooks.observes(patternPoint)) {
            // A captured or replaced pattern is wanted whole; its memory was counted before the run.
            return attendAll(q, k, v, mask, hooks, patternPoint);
        }
        // Rows of the score matrix are independent: queries in chunks keep one [B, H, chunk, S] block alive.
        NDList outputs = new NDList();
        for (long start = 0; start < t; start += chunk) {
            long end = Math.min(t, start + chunk);
            String rows = start + ":" + end;
            outputs.add(LayerScope.run(() -> attendAll(q.get(":, :, " + rows + ", :"), k, v,
                    mask == null ? null : mask.get(rows + ", :"), hooks, patternPoint)));
        }
        NDArray out = NDArrays.concat(outputs, 2);
        outputs.close();
        return out;
    }

    /** Score-matrix bytes above which queries are processed in chunks ({@code -Dlvlm.attentionChunkBytes}). */
    public static long chunkBytes() {
        return Long.getLong("lvlm.attentionChunkBytes", 64L << 20);
    }

    private static NDArray attendAll(NDArray q, NDArray k, NDArray v, NDArray mask, Hooks hooks,
            String patternPoint) {
        Shape qs = q.getShape();
        long b = qs.get(0);
        long h = qs.get(1);
        long t = qs.get(2);
        long d = qs.get(3);
        long kvh = k.getShape().get(1);
        long s = k.getShape().get(2);
        long group = h / kvh;
        NDArray pattern = hooks.at(patternPoint, pattern(q, k, mask));
        // Grouped heads share a kv head: fold the group into the query axis instead of copying v.
        NDArray pg = group == 1 ? pattern : pattern.reshape(b, kvh, group * t, s);
        NDArray out = pg.matMul(v);
        return group == 1 ? out : out.reshape(b, h, t, d);
    }

    /**
     * The softmax attention weights {@code [B, H, T, S]} of queries {@code q} ({@code [B, H, T, D]})
     * over keys {@code k} ({@code [B, KVH, S, D]}), computed as {@link #attend} computes them; {@code mask}
     * is an additive {@code [T, S]} mask or null. Lets a caller read a few query rows (visual-token
     * pruning reads the last prompt token's) without a pass materialising every layer's pattern.
     */
    public static NDArray pattern(NDArray q, NDArray k, NDArray mask) {
        Shape qs = q.getShape();
        long b = qs.get(0);
        long h = qs.get(1);
        long t = qs.get(2);
        long d = qs.get(3);
        long kvh = k.getShape().get(1);
        long s = k.getShape().get(2);
        long group = h / kvh;
        // Grouped heads share a kv head: fold the group into the query axis instead of copying k.
        float scale = (float) (1.0 / Math.sqrt(d));
        // HF scales the scores; scaling by a power of two is exact, so the (S/D times smaller) queries
        // take it instead, bit for bit the same. Other head sizes scale the scores, as HF does.
        boolean scaleQueries = scale == Math.scalb(1f, Math.getExponent(scale));
        NDArray scaled = scaleQueries ? OwnedTensors.scale(q, scale) : q;
        NDArray qg = group == 1 ? scaled : scaled.reshape(b, kvh, group * t, d);
        NDArray product = qg.matMul(k.transpose(0, 1, 3, 2));
        NDArray scores = scaleQueries ? product : OwnedTensors.scale(product, scale);
        if (group != 1) {
            scores = scores.reshape(b, h, t, s);
        }
        if (mask != null) {
            scores = scores.add(mask);
        }
        return scores.softmax(-1);
    }

    /** Causal mask for {@code queries} new positions after {@code past} cached ones. */
    public static NDArray causalMask(NDManager manager, long past, long queries) {
        long keys = past + queries;
        long cells = queries * keys;
        if (cells > Integer.MAX_VALUE - 8) {
            // Callers check prompt lengths first (loading.InputLimits); this guards direct calls.
            throw new IllegalArgumentException("a causal mask of " + queries + " queries × " + keys
                    + " keys is too large to build (" + cells + " cells); shorten the input");
        }
        float[] m = new float[(int) cells];
        for (int i = 0; i < queries; i++) {
            for (long j = past + i + 1; j < keys; j++) {
                m[(int) (i * keys + j)] = MASKED;
            }
        }
        return OwnedTensors.of(manager, m, new Shape(queries, keys));
    }
}
