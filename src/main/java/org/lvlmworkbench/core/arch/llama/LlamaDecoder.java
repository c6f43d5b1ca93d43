package org.lvlmworkbench.core.arch.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.nn.LayerScope;
import org.lvlmworkbench.core.nn.Linear;
import org.lvlmworkbench.core.nn.MappedLinear;
import org.lvlmworkbench.core.nn.MappedMatrix;
import org.lvlmworkbench.core.model.TextDecoder;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
import org.lvlmworkbench.core.nn.EngineThreads;
import org.lvlmworkbench.core.nn.KvCache;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.nn.Attention;
import org.lvlmworkbench.core.nn.LinearMap;
import org.lvlmworkbench.core.nn.Ops;
import org.lvlmworkbench.core.nn.OwnedTensors;
import org.lvlmworkbench.core.nn.Rotary;

/**
 * The Llama-family decoder (HF {@code LlamaModel} plus its LM head; Qwen2 differs only in biases):
 * RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP.
 */
public final class LlamaDecoder implements TextDecoder {

    /** One decoder layer. Its linear maps are public so analyses can read the weights by role. */
    public static final class Layer {
        final NDArray inputNorm;
        public final LinearMap q;
        public final LinearMap k;
        public final LinearMap v;
        public final LinearMap o;
        final NDArray postAttentionNorm;
        public final LinearMap gate;
        public final LinearMap up;
        public final LinearMap down;
        final HookPoints.Block hooks;
        private final String prefix;
        private final int index;

        Layer(DecoderConfig c, WeightLoader w, String p, int index) {
            this.prefix = p;
            this.index = index;
            long hidden = c.hiddenSize();
            long qOut = (long) c.numHeads() * c.headDim();
            long kvOut = (long) c.numKvHeads() * c.headDim();
            long in = c.intermediateSize();
            // A sub-layer removed by compression has no weights in the checkpoint, its norm included.
            boolean attention = c.hasAttention(index);
            inputNorm = attention ? w.load(p + "input_layernorm.weight", hidden) : null;
            q = attention ? w.linear(p + "self_attn.q_proj", qOut, hidden, c.qkvBias()) : null;
            k = attention ? w.linear(p + "self_attn.k_proj", kvOut, hidden, c.qkvBias()) : null;
            v = attention ? w.linear(p + "self_attn.v_proj", kvOut, hidden, c.qkvBias()) : null;
            o = attention ? w.linear(p + "self_attn.o_proj", hidden, qOut, c.outputBias()) : null;
            boolean mlp = c.hasMlp(index);
            postAttentionNorm = mlp ? w.load(p + "post_attention_layernorm.weight", hidden) : null;
            gate = mlp ? w.linear(p + "mlp.gate_proj", in, hidden, c.mlpBias()) : null;
            up = mlp ? w.linear(p + "mlp.up_proj", in, hidden, c.mlpBias()) : null;
            down = mlp ? w.linear(p + "mlp.down_proj", hidden, in, c.mlpBias()) : null;
            hooks = HookPoints.text(index);
        }

        public boolean hasAttention() {
            return q != null;
        }

        public boolean hasMlp() {
            return gate != null;
        }

        /** This layer's seven linear maps with their checkpoint keys and input hook points. */
        public List<LinearWeight> linears() {
            List<LinearWeight> out = new ArrayList<>(7);
            if (hasAttention()) {
                out.add(new LinearWeight(prefix + "self_attn.q_proj.weight", "text", index, "q", hooks.ln1Normalized(), q));
                out.add(new LinearWeight(prefix + "self_attn.k_proj.weight", "text", index, "k", hooks.ln1Normalized(), k));
                out.add(new LinearWeight(prefix + "self_attn.v_proj.weight", "text", index, "v", hooks.ln1Normalized(), v));
                out.add(new LinearWeight(prefix + "self_attn.o_proj.weight", "text", index, "o", hooks.attnZ(), o));
            }
            if (hasMlp()) {
                out.add(new LinearWeight(prefix + "mlp.gate_proj.weight", "text", index, "gate", hooks.ln2Normalized(), gate));
                out.add(new LinearWeight(prefix + "mlp.up_proj.weight", "text", index, "up", hooks.ln2Normalized(), up));
                out.add(new LinearWeight(prefix + "mlp.down_proj.weight", "text", index, "down", hooks.mlpPost(), down));
            }
            return out;
        }

        /**
         * @param lastRow when not null, receives the head-mean attention of the last query row over all keys
         *                (what a visual-token pruning stage at the next layer scores with)
         */
        NDArray forward(DecoderConfig c, NDArray x, int layer, NDArray[] rope, NDArray mask, KvCache cache,
                Hooks h, LastRow lastRow) {
            x = h.at(hooks.residPre(), x);
            if (hasAttention()) {
                x = h.at(hooks.residMid(), x.add(attention(c, x, layer, rope, mask, cache, h, lastRow)));
            } else {
                x = h.at(hooks.residMid(), x);
            }
            if (!hasMlp()) {
                return h.at(hooks.residPost(), x);
            }
            NDArray mlpIn = h.at(hooks.mlpIn(), x);
            NDArray normed2 = h.at(hooks.ln2Normalized(), Ops.rmsNorm(mlpIn, postAttentionNorm, c.rmsNormEps()));
            NDArray hidden = h.at(hooks.mlpPost(), Ops.activation(c.hiddenAct(), gate.apply(normed2)).mul(up.apply(normed2)));
            NDArray mlp = down.apply(hidden);
            mlp = h.at(hooks.mlpOut(), mlp);
            return h.at(hooks.residPost(), x.add(mlp));
        }

        /** The attention sub-layer's output {@code [B, T, hidden]} (after o_proj) for the stream {@code x}. */
        private NDArray attention(DecoderConfig c, NDArray x, int layer, NDArray[] rope, NDArray mask, KvCache cache,
                Hooks h, LastRow lastRow) {
            NDArray normed = h.at(hooks.ln1Normalized(), Ops.rmsNorm(x, inputNorm, c.rmsNormEps()));
            NDArray qh = Rotary.apply(Attention.splitHeads(q.apply(normed), c.numHeads()), rope); // [B, H, T, D]
            NDArray kh = Rotary.apply(Attention.splitHeads(k.apply(normed), c.numKvHeads()), rope); // [B, KVH, T, D]
            NDArray vh = Attention.splitHeads(v.apply(normed), c.numKvHeads());
            if (cache != null) {
                NDArray[] kv = cache.append(layer, kh, vh); // [B, KVH, past+T, D]
                kh = kv[0];
                vh = kv[1];
            }
            if (lastRow != null) {
                lastRow.read(qh, kh);
            }
            NDArray attn = Attention.attend(qh, kh, vh, mask, h, hooks.attnPattern());
            NDArray z = h.at(hooks.attnZ(), Attention.mergeHeads(attn)); // [B, H, T, D] → [B, T, H·D]
            return h.at(hooks.attnOut(), o.apply(z)); // [B, T, H·D] → [B, T, hidden]
        }
    }

    /**
     * The attention row of the last query (the last prompt token in a prefill), averaged over heads:
     * one weight per key, cached keys first. Only this row is computed, never the whole pattern. The
     * last query sees every key, so no mask applies.
     */
    static final class LastRow {
        float[] headMean;

        void read(NDArray q, NDArray k) {
            long t = q.getShape().get(2);
            NDArray last = q.get(":, :, " + (t - 1) + ":" + t + ", :");
            NDArray mean = Attention.pattern(last, k, null).mean(new int[] {1}); // [1, 1, S]
            headMean = mean.toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    private final DecoderConfig config;
    private final LinearMap embedTokens;
    private final List<Layer> layers;
    private final NDArray finalNorm;
    private final LinearMap lmHead;
    private final Rotary rotary;

    /**
     * @param prefix     e.g. {@code language_model.model.} (holds embed_tokens, layers, norm)
     * @param lmHeadName e.g. {@code language_model.lm_head.weight}
     */
    public LlamaDecoder(DecoderConfig c, WeightLoader w, String prefix, String lmHeadName) {
        this.config = c;
        long hidden = c.hiddenSize();
        embedTokens = w.matrix(prefix + "embed_tokens.weight", c.vocabSize(), hidden);
        List<Layer> list = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            list.add(new Layer(c, w, prefix + "layers." + i + ".", i));
        }
        layers = Collections.unmodifiableList(list);
        finalNorm = w.load(prefix + "norm.weight", hidden);
        if (w.has(lmHeadName)) {
            lmHead = w.matrix(lmHeadName, c.vocabSize(), hidden);
        } else if (c.tieWordEmbeddings()) {
            lmHead = embedTokens;
        } else {
            lmHead = w.matrix(lmHeadName, c.vocabSize(), hidden);
        }
        rotary = new Rotary(c.ropeScaling().inverseFrequencies(c.headDim(), c.ropeTheta()));
    }

    public DecoderConfig config() {
        return config;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** The model card's section for this decoder. */
    public ModelCard.Section describe() {
        DecoderConfig c = config;
        String rope = "θ " + formatNumber(c.ropeTheta()) + (c.ropeScaling().type().equals("default") ? ""
                : ", " + c.ropeScaling().type() + " scaling ×" + formatNumber(c.ropeScaling().factor()));
        return new ModelCard.Section("text decoder", List.of(
                new ModelCard.Fact("kind", c.modelType()),
                new ModelCard.Fact("layers", Integer.toString(c.numLayers())),
                new ModelCard.Fact("width", Integer.toString(c.hiddenSize())),
                new ModelCard.Fact("heads", c.numHeads() + " (" + c.numKvHeads() + " kv, head dim " + c.headDim() + ")"),
                new ModelCard.Fact("mlp", c.intermediateSize() + ", " + c.hiddenAct()),
                new ModelCard.Fact("vocabulary", Integer.toString(c.vocabSize())),
                new ModelCard.Fact("rope", rope),
                new ModelCard.Fact("max positions", Integer.toString(c.maxPositionEmbeddings())),
                new ModelCard.Fact("tied embeddings", Boolean.toString(lmHead == embedTokens))));
    }

    private static String formatNumber(double x) {
        return x == Math.rint(x) && Math.abs(x) < 1e15 ? Long.toString((long) x) : Double.toString(x);
    }

    @Override
    public String modelType() {
        return config.modelType();
    }

    @Override
    public int numLayers() {
        return layers.size();
    }

    @Override
    public int hiddenSize() {
        return config.hiddenSize();
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    @Override
    public int maxPositions() {
        return config.maxPositionEmbeddings();
    }

    @Override
    public NDArray embed(NDArray ids) {
        if (embedTokens instanceof MappedLinear reduced && !reduced.training()) {
            // Only the rows asked for are widened: [B, T] ids → [B, T, hidden].
            MappedMatrix table = reduced.weight();
            long[] rows = ids.toLongArray();
            ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(4L * rows.length * table.cols()))
                    .order(ByteOrder.LITTLE_ENDIAN);
            table.gatherInto(rows, out);
            return ids.getManager().create(out, ids.getShape().add(table.cols()), DataType.FLOAT32);
        }
        NDArray table = embedTokens instanceof MappedLinear trained ? trained.float32View() : ((Linear) embedTokens).weight();
        return Embedding.embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Runs the layers on embeddings {@code [B, T, hidden]}, continuing {@code cache} when given, and
     * returns logits {@code [B, T, vocab]}. {@code positionIds} ({@code [T]}, int64) are the rotary
     * positions of the new tokens, or null for {@code cache.position() .. +T-1}.
     */
    public NDArray forward(NDArray embeddings, NDArray positionIds, long[] logitRows, KvCache cache, Hooks hooks) {
        return forward(embeddings, positionIds, logitRows, cache, hooks, VisualTokenPruning.NONE, new int[0]);
    }

    /**
     * {@link #forward(NDArray, NDArray, long[], KvCache, Hooks)} with visual-token pruning: before each
     * stage's layer {@code K} the stage scores the image tokens still in the sequence, and only the
     * rows it keeps (and every text row) go on. Kept rows keep their rotary positions; the causal mask
     * runs over the kept rows in their original order; layers from {@code K} on cache only the kept
     * rows' keys and values, while {@link KvCache#position()} still advances by {@code T}. Each stage
     * calls {@link HookPoints#keptPositions} with the positions that stay.
     *
     * <p>{@code logitRows} still name input rows (indices into {@code T}); asking for a removed image
     * token's row is refused. With {@code logitRows} null the logits cover the rows that remain after
     * the last stage, {@code [1, T_kept, vocab]}. Pruning runs one sequence at a time: with image
     * tokens and a policy, {@code B} must be 1 (each instance keeps its own set, so rows would differ
     * in length).
     *
     * @param pruning   the policy; {@link VisualTokenPruning#NONE} runs every row through every layer
     * @param imageRows the input rows (indices into {@code T}, ascending) that hold image tokens; with
     *                  none, nothing is pruned
     */
    public NDArray forward(NDArray embeddings, NDArray positionIds, long[] logitRows, KvCache cache, Hooks hooks,
            VisualTokenPruning pruning, int[] imageRows) {
        long b = embeddings.getShape().get(0);
        long t = embeddings.getShape().get(1);
        EngineThreads.forRows(b * t);
        boolean prune = !pruning.isNone() && imageRows.length > 0;
        if (prune && b != 1) {
            throw new IllegalArgumentException("visual-token pruning runs one sequence at a time, this batch has "
                    + b + " (each sequence keeps its own image tokens, so their lengths would differ)");
        }
        if (prune) {
            pruning.checkLayers(layers.size());
        }
        NDManager nd = embeddings.getManager();
        long past = cache == null ? 0 : cache.position();
        long[] positions = positionIds == null ? range(past, t) : positionIds.toLongArray();
        if (positions.length != t) {
            throw new IllegalArgumentException(positions.length + " position ids for " + t + " tokens");
        }
        PrunedRows rows = prune ? new PrunedRows(positions, imageRows) : null;
        NDArray[] rope = rotary.table(nd, positions);
        NDArray mask = null;
        long maskPast = -1;
        long maskRows = -1;
        LastRow lastRow = null;
        NDArray x = hooks.at(HookPoints.TEXT_EMBED, embeddings);
        for (int i = 0; i < layers.size(); i++) {
            if (prune && pruning.stageAt(i) != null) {
                NDArray before = x;
                x = pruneBefore(i, pruning.stageAt(i), x, rows, lastRow, hooks);
                rope = rotary.table(nd, rows.positions());
                if (i > 0) {
                    before.close();
                }
            }
            long rowsNow = x.getShape().get(1);
            long layerPast = cache == null ? 0 : cache.length(i);
            if (rowsNow == 1) {
                mask = null;
                maskRows = 1;
            } else if (layerPast != maskPast || rowsNow != maskRows) {
                // Pruned layers hold fewer cached positions and rows: their mask is over the kept sequence.
                mask = Attention.causalMask(nd, layerPast, rowsNow);
                maskPast = layerPast;
                maskRows = rowsNow;
            }
            Layer layer = layers.get(i);
            int index = i;
            NDArray input = x;
            NDArray[] layerRope = rope;
            NDArray layerMask = mask;
            LastRow probe = prune && pruning.needsAttentionAt(i) ? new LastRow() : null;
            // A layer's intermediates die with it; only its output (and what hooks or the cache keep) survives.
            x = LayerScope.run(() -> layer.forward(config, input, index, layerRope, layerMask, cache, hooks, probe));
            lastRow = probe;
            if (i > 0) {
                input.close();
            }
        }
        if (cache != null) {
            cache.advanceTo(positions[positions.length - 1] + 1);
        }
        x = hooks.at(HookPoints.FINAL_NORM, Ops.rmsNorm(x, finalNorm, config.rmsNormEps()));
        long[] wanted = logitRows == null || rows == null ? logitRows : rows.rowsOf(logitRows);
        return hooks.at(HookPoints.LOGITS, unembed(wanted == null ? x : rows(x, wanted)));
    }

    /** Runs the stage before {@code layer}: scores, selects, gathers the kept rows and reports them. */
    private NDArray pruneBefore(int layer, VisualTokenPruning.Stage stage, NDArray x, PrunedRows rows,
            LastRow lastRow, Hooks hooks) {
        int[] images = rows.imageRows();
        int[] keep;
        if (stage instanceof VisualTokenPruning.AttentionStage scored) {
            // The last query's keys are the cached ones, then this pass's rows as they entered layer K-1,
            // which are the rows entering K: no stage runs between the two.
            if (lastRow == null || lastRow.headMean == null) {
                throw new IllegalStateException("visual-token pruning at layer " + layer + " scores with layer "
                        + (layer - 1) + "'s attention, which this model does not have (its attention was dropped)");
            }
            float[] row = lastRow.headMean;
            int offset = row.length - rows.size();
            float[] scores = new float[images.length];
            for (int j = 0; j < images.length; j++) {
                scores[j] = row[offset + images[j]];
            }
            keep = scored.select(scores, rows.originalImages());
        } else {
            VisualTokenPruning.Diversity diversity = (VisualTokenPruning.Diversity) stage;
            int width = (int) x.getShape().get(2);
            float[] flat;
            try (NDArray imageStates = gatherRows(x, images)) {
                flat = imageStates.toType(DataType.FLOAT32, false).toFloatArray();
            }
            float[][] features = new float[images.length][width];
            for (int j = 0; j < images.length; j++) {
                System.arraycopy(flat, j * width, features[j], 0, width);
            }
            keep = diversity.select(features);
        }
        int[] kept = rows.keep(keep);
        NDArray out = gatherRows(x, kept);
        String point = HookPoints.keptPositions(layer);
        if (hooks.observes(point)) {
            long[] p = rows.positions();
            NDArray positions = OwnedTensors.of(x.getManager(), p).reshape(1, p.length);
            if (hooks.at(point, positions) != positions) {
                throw new IllegalStateException(point + " can be captured, not replaced");
            }
        }
        return out;
    }

    /** Rows {@code [1, rows, hidden]} of {@code x} ({@code [1, T, hidden]}) at the given indices, as one gather. */
    private static NDArray gatherRows(NDArray x, int[] indices) {
        long t = x.getShape().get(1);
        long h = x.getShape().get(2);
        long[] index = new long[indices.length];
        for (int i = 0; i < indices.length; i++) {
            index[i] = indices[i];
        }
        NDArray gathered = Embedding.embedding(OwnedTensors.of(x.getManager(), index), x.reshape(t, h),
                SparseFormat.DENSE).singletonOrThrow();
        return gathered.reshape(1, indices.length, h);
    }

    private static long[] range(long start, long length) {
        long[] out = new long[Math.toIntExact(length)];
        for (int i = 0; i < out.length; i++) {
            out[i] = start + i;
        }
        return out;
    }

    /** Rows {@code [B, rows, hidden]} of {@code x} ({@code [B, T, hidden]}) at the given positions, in order. */
    private static NDArray rows(NDArray x, long[] positions) {
        NDList slices = new NDList();
        for (long p : positions) {
            slices.add(x.get(":, " + p + ":" + (p + 1) + ", :"));
        }
        return slices.size() == 1 ? slices.get(0) : NDArrays.concat(slices, 1);
    }

    /** The decoder's hook points in forward order, from the embeddings to the logits. */
    public List<String> hookPoints() {
        return hookPoints(VisualTokenPruning.NONE);
    }

    /** The hook points of a pass under {@code pruning}: each stage adds its {@link HookPoints#keptPositions}. */
    public List<String> hookPoints(VisualTokenPruning pruning) {
        List<String> out = new ArrayList<>();
        out.add(HookPoints.TEXT_EMBED);
        for (int i = 0; i < layers.size(); i++) {
            if (pruning.stageAt(i) != null) {
                out.add(HookPoints.keptPositions(i));
            }
            out.addAll(List.of(HookPoints.text(i).all()));
        }
        out.add(HookPoints.FINAL_NORM);
        out.add(HookPoints.LOGITS);
        return out;
    }

    @Override
    public NDArray unembed(NDArray normed) {
        return lmHead.apply(normed);
    }

    @Override
    public NDArray finalNorm(NDArray x) {
        return Ops.rmsNorm(x, finalNorm, config.rmsNormEps());
    }

}
