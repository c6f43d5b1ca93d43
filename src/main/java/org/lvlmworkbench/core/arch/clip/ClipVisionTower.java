package org.lvlmworkbench.core.arch.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.nn.Attention;
import org.lvlmworkbench.core.nn.EngineThreads;
import org.lvlmworkbench.core.nn.LayerScope;
import org.lvlmworkbench.core.nn.LinearMap;
import org.lvlmworkbench.core.nn.Ops;

/**
 * The CLIP vision transformer as HF's {@code CLIPVisionModel}: patch embedding (a stride-p
 * convolution), class token, learned positions, {@code pre_layrnorm}, then pre-LN encoder layers.
 */
public final class ClipVisionTower {

    /** One pre-LN encoder layer. */
    public static final class Layer {
        final NDArray ln1Weight;
        final NDArray ln1Bias;
        public final LinearMap q;
        public final LinearMap k;
        public final LinearMap v;
        public final LinearMap out;
        final NDArray ln2Weight;
        final NDArray ln2Bias;
        public final LinearMap fc1;
        public final LinearMap fc2;
        final HookPoints.Block hooks;
        private final String prefix;
        private final int index;

        Layer(ClipVisionConfig c, WeightLoader w, String p, int index) {
            this.prefix = p;
            this.index = index;
            long hidden = c.hiddenSize();
            long in = c.intermediateSize();
            ln1Weight = w.load(p + "layer_norm1.weight", hidden);
            ln1Bias = w.load(p + "layer_norm1.bias", hidden);
            q = w.linear(p + "self_attn.q_proj", hidden, hidden, true);
            k = w.linear(p + "self_attn.k_proj", hidden, hidden, true);
            v = w.linear(p + "self_attn.v_proj", hidden, hidden, true);
            out = w.linear(p + "self_attn.out_proj", hidden, hidden, true);
            ln2Weight = w.load(p + "layer_norm2.weight", hidden);
            ln2Bias = w.load(p + "layer_norm2.bias", hidden);
            fc1 = w.linear(p + "mlp.fc1", in, hidden, true);
            fc2 = w.linear(p + "mlp.fc2", hidden, in, true);
            hooks = HookPoints.vision(index);
        }

        /** This layer's six linear maps with their checkpoint keys and input hook points. */
        public List<LinearWeight> linears() {
            return List.of(
                    new LinearWeight(prefix + "self_attn.q_proj.weight", "vision", index, "q", hooks.ln1Normalized(), q),
                    new LinearWeight(prefix + "self_attn.k_proj.weight", "vision", index, "k", hooks.ln1Normalized(), k),
                    new LinearWeight(prefix + "self_attn.v_proj.weight", "vision", index, "v", hooks.ln1Normalized(), v),
                    new LinearWeight(prefix + "self_attn.out_proj.weight", "vision", index, "o", hooks.attnZ(), out),
                    new LinearWeight(prefix + "mlp.fc1.weight", "vision", index, "fc1", hooks.ln2Normalized(), fc1),
                    new LinearWeight(prefix + "mlp.fc2.weight", "vision", index, "fc2", hooks.mlpPost(), fc2));
        }

        NDArray forward(ClipVisionConfig c, NDArray x, Hooks h) {
            x = h.at(hooks.residPre(), x);
            NDArray normed = h.at(hooks.ln1Normalized(), Ops.layerNorm(x, ln1Weight, ln1Bias, c.layerNormEps()));
            NDArray qh = Attention.splitHeads(q.apply(normed), c.numHeads()); // [B, T, H·D] → [B, H, T, D]
            NDArray kh = Attention.splitHeads(k.apply(normed), c.numHeads());
            NDArray vh = Attention.splitHeads(v.apply(normed), c.numHeads());
            NDArray attn = Attention.attend(qh, kh, vh, null, h, hooks.attnPattern());
            NDArray z = h.at(hooks.attnZ(), Attention.mergeHeads(attn)); // [B, H, T, D] → [B, T, H·D]
            attn = h.at(hooks.attnOut(), out.apply(z));
            x = h.at(hooks.residMid(), x.add(attn));
            NDArray mlpIn = h.at(hooks.mlpIn(), x);
            NDArray normed2 = h.at(hooks.ln2Normalized(), Ops.layerNorm(mlpIn, ln2Weight, ln2Bias, c.layerNormEps()));
            NDArray mlp = fc2.apply(h.at(hooks.mlpPost(), Ops.activation(c.hiddenAct(), fc1.apply(normed2))));
            mlp = h.at(hooks.mlpOut(), mlp);
            return h.at(hooks.residPost(), x.add(mlp));
        }
    }

    private final ClipVisionConfig config;
    private final NDArray patchWeight;
    private final NDArray classEmbedding;
    private final NDArray positionEmbedding;
    private final NDArray preLnWeight;
    private final NDArray preLnBias;
    private final List<Layer> layers;

    /** @param prefix e.g. {@code vision_tower.vision_model.} */
    public ClipVisionTower(ClipVisionConfig c, WeightLoader w, String prefix) {
        this.config = c;
        long hidden = c.hiddenSize();
        long p = c.patchSize();
        patchWeight = w.load(prefix + "embeddings.patch_embedding.weight", hidden, c.numChannels(), p, p);
        classEmbedding = w.load(prefix + "embeddings.class_embedding", hidden);
        positionEmbedding = w.load(prefix + "embeddings.position_embedding.weight", c.numPatches() + 1, hidden);
        preLnWeight = w.load(prefix + "pre_layrnorm.weight", hidden);
        preLnBias = w.load(prefix + "pre_layrnorm.bias", hidden);
        List<Layer> list = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            list.add(new Layer(c, w, prefix + "encoder.layers." + i + ".", i));
        }
        layers = Collections.unmodifiableList(list);
        // post_layernorm feeds CLIP's pooled output, which LLaVA never reads; it is kept for export.
        w.loadOptional(prefix + "post_layernorm.weight", hidden);
        w.loadOptional(prefix + "post_layernorm.bias", hidden);
    }

    public ClipVisionConfig config() {
        return config;
    }

    public List<Layer> layers() {
        return layers;
    }

    /**
     * Runs the tower on {@code [N, C, H, W]} pixels and returns the hidden states HF would list at
     * {@code indices} (0 is the embedding output, i the output of layer i). Layers past the
     * largest index are skipped.
     */
    public List<NDArray> hiddenStates(NDArray pixels, int[] indices, Hooks hooks) {
        EngineThreads.forRows(Long.MAX_VALUE);
        int last = 0;
        for (int i : indices) {
            last = Math.max(last, i);
        }
        NDArray[] states = new NDArray[last + 1];
        NDArray x = hooks.at(HookPoints.VISION_EMBED, embed(pixels));
        states[0] = x;
        boolean[] wanted = new boolean[last + 1];
        for (int i : indices) {
            wanted[i] = true;
        }
        for (int i = 0; i < last; i++) {
            Layer layer = layers.get(i);
            NDArray input = x;
            // A layer's intermediates die with it; a hidden state nobody selected dies after the next layer.
            x = LayerScope.run(() -> layer.forward(config, input, hooks));
            if (i > 0 && !wanted[i]) {
                input.close();
            }
            states[i + 1] = x;
        }
        List<NDArray> out = new ArrayList<>();
        for (int i : indices) {
            out.add(states[i]);
        }
        return out;
    }

    private NDArray embed(NDArray pixels) {
        long n = pixels.getShape().get(0);
        long ch = config.numChannels();
        long p = config.patchSize();
        long side = config.patchesPerSide();
        long hidden = config.hiddenSize();
        long expected = config.imageSize();
        if (pixels.getShape().dimension() != 4 || pixels.getShape().get(1) != ch
                || pixels.getShape().get(2) != expected || pixels.getShape().get(3) != expected) {
            throw new IllegalArgumentException("pixel values must be [N, " + ch + ", " + expected + ", " + expected
                    + "], got " + pixels.getShape());
        }
        // HF's stride-p, kernel-p Conv2d, run as torch's own convolution: a product with the flattened
        // (c, kh, kw) patches is the same sum in another order, and this tower amplifies such last-bit
        // differences enough to show in the logits.
        // [N, C, side·p, side·p] → [N, hidden, side, side] → [N, hidden, patches] → [N, patches, hidden]
        NDArray embedded = Conv2d.conv2d(pixels, patchWeight, null, new Shape(p, p), new Shape(0, 0),
                new Shape(1, 1), 1).singletonOrThrow().reshape(n, hidden, side * side).transpose(0, 2, 1);
        NDArray cls = classEmbedding.reshape(1, 1, hidden).broadcast(n, 1, hidden);
        NDArray tokens = cls.concat(embedded, 1);
        NDArray x = tokens.add(positionEmbedding.expandDims(0));
        return Ops.layerNorm(x, preLnWeight, preLnBias, config.layerNormEps());
    }

}
