package org.lvlmworkbench.core.arch.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
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
import org.lvlmworkbench.core.nn.EngineThreads;
import org.lvlmworkbench.core.nn.KvCache;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.nn.Attention;
import org.lvlmworkbench.core.nn.LinearMap;
import org.lvlmworkbench.core.nn.Ops;
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

        NDArray forward(DecoderConfig c, NDArray x, int layer, NDArray[] rope, NDArray mask, KvCache cache,
                Hooks h) {
            x = h.at(hooks.residPre(), x);
            if (hasAttention()) {
                x = h.at(hooks.residMid(), x.add(attention(c, x, layer, rope, mask, cache, h)));
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
                Hooks h) {
            NDArray normed = h.at(hooks.ln1Normalized(), Ops.rmsNorm(x, inputNorm, c.rmsNormEps()));
            NDArray qh = Rotary.apply(Attention.splitHeads(q.apply(normed), c.numHeads()), rope); // [B, H, T, D]
            NDArray kh = Rotary.apply(Attention.splitHeads(k.apply(normed), c.numKvHeads()), rope); // [B, KVH, T, D]
            NDArray vh = Attention.splitHeads(v.apply(normed), c.numKvHeads());
            if (cache != null) {
                NDArray[] kv = cache.append(layer, kh, vh); // [B, KVH, past+T, D]
                kh = kv[0];
                vh = kv[1];
            }
            NDArray attn = Attention.attend(qh, kh, vh, mask, h, hooks.attnPattern());
            NDArray z = h.at(hooks.attnZ(), Attention.mergeHeads(attn)); // [B, H, T, D] → [B, T, H·D]
            return h.at(hooks.attnOut(), o.apply(z)); // [B, T, H·D] → [B, T, hidden]
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
     * positions of the new tokens, or null for {@code past .. past+T-1}.
     */
    public NDArray forward(NDArray embeddings, NDArray positionIds, long[] logitRows, KvCache cache, Hooks hooks) {
        long t = embeddings.getShape().get(1);
        EngineThreads.forRows(embeddings.getShape().get(0) * t);
        long past = cache == null ? 0 : cache.length();
        NDArray[] rope = positionIds == null ? rotary.table(embeddings.getManager(), past, t)
                : rotary.table(embeddings.getManager(), positionIds.toLongArray());
        NDArray mask = t == 1 ? null : Attention.causalMask(embeddings.getManager(), past, t);
        NDArray x = hooks.at(HookPoints.TEXT_EMBED, embeddings);
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            int index = i;
            NDArray input = x;
            // A layer's intermediates die with it; only its output (and what hooks or the cache keep) survives.
            x = LayerScope.run(() -> layer.forward(config, input, index, rope, mask, cache, hooks));
            if (i > 0) {
                input.close();
            }
        }
        if (cache != null) {
            cache.advanceTo(past + t);
        }
        x = hooks.at(HookPoints.FINAL_NORM, Ops.rmsNorm(x, finalNorm, config.rmsNormEps()));
        return hooks.at(HookPoints.LOGITS, unembed(logitRows == null ? x : rows(x, logitRows)));
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
        List<String> out = new ArrayList<>();
        out.add(HookPoints.TEXT_EMBED);
        for (int i = 0; i < layers.size(); i++) {
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
