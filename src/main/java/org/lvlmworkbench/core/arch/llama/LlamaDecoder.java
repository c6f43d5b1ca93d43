package org.lvlmworkbench.core.arch.llama;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.lvlmworkbench.core.config.DecoderConfig;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.KvCache;
import org.lvlmworkbench.core.model.WeightLoader;
import org.lvlmworkbench.core.tensor.Attention;
import org.lvlmworkbench.core.tensor.LinearMap;
import org.lvlmworkbench.core.tensor.Ops;
import org.lvlmworkbench.core.tensor.Rotary;

/**
 * The Llama-family decoder (HF {@code LlamaModel} plus its LM head; Qwen2 differs only in biases):
 * RMSNorm, rotary positions, grouped-query attention, SwiGLU MLP.
 */
public final class LlamaDecoder {

    /** One decoder layer. Fields are public so analysis and compression can read and swap them. */
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

        Layer(DecoderConfig c, WeightLoader w, String p, int index) {
            long hd = c.hiddenSize();
            long qOut = (long) c.numHeads() * c.headDim();
            long kvOut = (long) c.numKvHeads() * c.headDim();
            long in = c.intermediateSize();
            inputNorm = w.load(p + "input_layernorm.weight", hd);
            q = w.linear(p + "self_attn.q_proj", qOut, hd, c.qkvBias());
            k = w.linear(p + "self_attn.k_proj", kvOut, hd, c.qkvBias());
            v = w.linear(p + "self_attn.v_proj", kvOut, hd, c.qkvBias());
            o = w.linear(p + "self_attn.o_proj", hd, qOut, c.outputBias());
            postAttentionNorm = w.load(p + "post_attention_layernorm.weight", hd);
            gate = w.linear(p + "mlp.gate_proj", in, hd, c.mlpBias());
            up = w.linear(p + "mlp.up_proj", in, hd, c.mlpBias());
            down = w.linear(p + "mlp.down_proj", hd, in, c.mlpBias());
            hooks = HookPoints.text(index);
        }

        NDArray forward(DecoderConfig c, NDArray x, int layer, NDArray[] rope, NDArray mask, KvCache cache,
                Hooks h) {
            x = h.at(hooks.residPre(), x);
            long b = x.getShape().get(0);
            long t = x.getShape().get(1);
            long d = c.headDim();
            NDArray normed = Ops.rmsNorm(x, inputNorm, c.rmsNormEps());
            NDArray qh = Rotary.apply(q.apply(normed).reshape(b, t, c.numHeads(), d).transpose(0, 2, 1, 3), rope);
            NDArray kh = Rotary.apply(k.apply(normed).reshape(b, t, c.numKvHeads(), d).transpose(0, 2, 1, 3), rope);
            NDArray vh = v.apply(normed).reshape(b, t, c.numKvHeads(), d).transpose(0, 2, 1, 3);
            if (cache != null) {
                NDArray[] kv = cache.append(layer, kh, vh);
                kh = kv[0];
                vh = kv[1];
            }
            NDArray attn = Attention.attend(qh, kh, vh, mask, h, hooks.attnPattern());
            attn = o.apply(attn.transpose(0, 2, 1, 3).reshape(b, t, (long) c.numHeads() * d));
            attn = h.at(hooks.attnOut(), attn);
            x = h.at(hooks.residMid(), x.add(attn));
            NDArray mlpIn = h.at(hooks.mlpIn(), Ops.rmsNorm(x, postAttentionNorm, c.rmsNormEps()));
            NDArray mlp = down.apply(Ops.activation(c.hiddenAct(), gate.apply(mlpIn)).mul(up.apply(mlpIn)));
            mlp = h.at(hooks.mlpOut(), mlp);
            return h.at(hooks.residPost(), x.add(mlp));
        }
    }

    private final DecoderConfig config;
    private final NDArray embedTokens;
    private final List<Layer> layers;
    private final NDArray finalNorm;
    private final NDArray lmHead;
    private final Rotary rotary;

    /**
     * @param prefix     e.g. {@code language_model.model.} (holds embed_tokens, layers, norm)
     * @param lmHeadName e.g. {@code language_model.lm_head.weight}
     */
    public LlamaDecoder(DecoderConfig c, WeightLoader w, String prefix, String lmHeadName) {
        this.config = c;
        long hd = c.hiddenSize();
        embedTokens = w.load(prefix + "embed_tokens.weight", c.vocabSize(), hd);
        List<Layer> list = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            list.add(new Layer(c, w, prefix + "layers." + i + ".", i));
        }
        layers = Collections.unmodifiableList(list);
        finalNorm = w.load(prefix + "norm.weight", hd);
        if (w.has(lmHeadName)) {
            lmHead = w.load(lmHeadName, c.vocabSize(), hd);
        } else if (c.tieWordEmbeddings()) {
            lmHead = embedTokens;
        } else {
            lmHead = w.load(lmHeadName, c.vocabSize(), hd);
        }
        rotary = new Rotary(c.ropeScaling().inverseFrequencies(c.headDim(), c.ropeTheta()));
    }

    public DecoderConfig config() {
        return config;
    }

    public List<Layer> layers() {
        return layers;
    }

    /** Token embeddings {@code [B, T, hidden]} for ids {@code [B, T]}. */
    public NDArray embed(NDArray ids) {
        return Embedding.embedding(ids, embedTokens, SparseFormat.DENSE).singletonOrThrow();
    }

    /** Runs the layers on embeddings, continuing {@code cache} when given, and returns logits. */
    public NDArray forward(NDArray embeddings, KvCache cache, Hooks hooks) {
        long t = embeddings.getShape().get(1);
        long past = cache == null ? 0 : cache.length();
        NDArray[] rope = rotary.table(embeddings.getManager(), past, t);
        NDArray mask = t == 1 ? null : Attention.causalMask(embeddings.getManager(), past, t);
        NDArray x = hooks.at(HookPoints.TEXT_EMBED, embeddings);
        for (int i = 0; i < layers.size(); i++) {
            x = layers.get(i).forward(config, x, i, rope, mask, cache, hooks);
        }
        x = hooks.at(HookPoints.FINAL_NORM, Ops.rmsNorm(x, finalNorm, config.rmsNormEps()));
        return hooks.at(HookPoints.LOGITS, unembed(x));
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

    /** The LM head applied to any residual-stream tensor (the logit lens reads layers this way). */
    public NDArray unembed(NDArray normed) {
        return ai.djl.nn.core.Linear.linear(normed, lmHead).singletonOrThrow();
    }

    public NDArray finalNorm(NDArray x) {
        return Ops.rmsNorm(x, finalNorm, config.rmsNormEps());
    }

}
