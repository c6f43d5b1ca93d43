package org.lvlmworkbench.core.arch.clip;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.lvlmworkbench.core.config.ClipVisionConfig;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.WeightLoader;
import org.lvlmworkbench.core.tensor.Attention;
import org.lvlmworkbench.core.tensor.LinearMap;
import org.lvlmworkbench.core.tensor.Ops;

/**
 * The CLIP vision transformer as HF's {@code CLIPVisionModel}: patch embedding (a stride-p
 * convolution, computed here as a matrix product over flattened patches), class token, learned
 * positions, {@code pre_layrnorm}, then pre-LN encoder layers.
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

        Layer(ClipVisionConfig c, WeightLoader w, String p, int index) {
            long hd = c.hiddenSize();
            long in = c.intermediateSize();
            ln1Weight = w.load(p + "layer_norm1.weight", hd);
            ln1Bias = w.load(p + "layer_norm1.bias", hd);
            q = w.linear(p + "self_attn.q_proj", hd, hd, true);
            k = w.linear(p + "self_attn.k_proj", hd, hd, true);
            v = w.linear(p + "self_attn.v_proj", hd, hd, true);
            out = w.linear(p + "self_attn.out_proj", hd, hd, true);
            ln2Weight = w.load(p + "layer_norm2.weight", hd);
            ln2Bias = w.load(p + "layer_norm2.bias", hd);
            fc1 = w.linear(p + "mlp.fc1", in, hd, true);
            fc2 = w.linear(p + "mlp.fc2", hd, in, true);
            hooks = HookPoints.vision(index);
        }

        NDArray forward(ClipVisionConfig c, NDArray x, Hooks h) {
            x = h.at(hooks.residPre(), x);
            long b = x.getShape().get(0);
            long t = x.getShape().get(1);
            long heads = c.numHeads();
            long d = c.headDim();
            NDArray normed = Ops.layerNorm(x, ln1Weight, ln1Bias, c.layerNormEps());
            NDArray qh = q.apply(normed).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
            NDArray kh = k.apply(normed).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
            NDArray vh = v.apply(normed).reshape(b, t, heads, d).transpose(0, 2, 1, 3);
            NDArray attn = Attention.attend(qh, kh, vh, null, h, hooks.attnPattern());
            attn = out.apply(attn.transpose(0, 2, 1, 3).reshape(b, t, heads * d));
            attn = h.at(hooks.attnOut(), attn);
            x = h.at(hooks.residMid(), x.add(attn));
            NDArray mlpIn = h.at(hooks.mlpIn(), Ops.layerNorm(x, ln2Weight, ln2Bias, c.layerNormEps()));
            NDArray mlp = fc2.apply(Ops.activation(c.hiddenAct(), fc1.apply(mlpIn)));
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
        long hd = c.hiddenSize();
        long p = c.patchSize();
        patchWeight = w.load(prefix + "embeddings.patch_embedding.weight", hd, c.numChannels(), p, p);
        classEmbedding = w.load(prefix + "embeddings.class_embedding", hd);
        positionEmbedding = w.load(prefix + "embeddings.position_embedding.weight", c.numPatches() + 1, hd);
        preLnWeight = w.load(prefix + "pre_layrnorm.weight", hd);
        preLnBias = w.load(prefix + "pre_layrnorm.bias", hd);
        List<Layer> list = new ArrayList<>();
        for (int i = 0; i < c.numLayers(); i++) {
            list.add(new Layer(c, w, prefix + "encoder.layers." + i + ".", i));
        }
        layers = Collections.unmodifiableList(list);
        // post_layernorm feeds CLIP's pooled output, which LLaVA never reads; it is kept for export.
        w.loadOptional(prefix + "post_layernorm.weight", hd);
        w.loadOptional(prefix + "post_layernorm.bias", hd);
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
        int last = 0;
        for (int i : indices) {
            last = Math.max(last, i);
        }
        NDArray[] states = new NDArray[last + 1];
        NDArray x = hooks.at(HookPoints.VISION_EMBED, embed(pixels));
        states[0] = x;
        for (int i = 0; i < last; i++) {
            x = layers.get(i).forward(config, x, hooks);
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
        long hd = config.hiddenSize();
        long expected = config.imageSize();
        if (pixels.getShape().dimension() != 4 || pixels.getShape().get(1) != ch
                || pixels.getShape().get(2) != expected || pixels.getShape().get(3) != expected) {
            throw new IllegalArgumentException("pixel values must be [N, " + ch + ", " + expected + ", " + expected
                    + "], got " + pixels.getShape());
        }
        // A stride-p, kernel-p convolution equals a product with each flattened (c, kh, kw) patch.
        NDArray patches = pixels.reshape(n, ch, side, p, side, p).transpose(0, 2, 4, 1, 3, 5)
                .reshape(n, side * side, ch * p * p);
        NDArray embedded = patches.matMul(patchWeight.reshape(hd, ch * p * p).transpose());
        NDArray cls = classEmbedding.reshape(1, 1, hd).broadcast(n, 1, hd);
        NDArray tokens = cls.concat(embedded, 1);
        NDArray x = tokens.add(positionEmbedding.expandDims(0));
        return Ops.layerNorm(x, preLnWeight, preLnBias, config.layerNormEps());
    }

}
