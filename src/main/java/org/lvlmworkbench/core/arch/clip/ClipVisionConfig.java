package org.lvlmworkbench.core.arch.clip;

import org.lvlmworkbench.core.config.Activation;
import org.lvlmworkbench.core.config.JsonFields;

/** CLIP vision tower settings; missing fields take the defaults of HF {@code CLIPVisionConfig}. */
public record ClipVisionConfig(int hiddenSize, int intermediateSize, int numLayers, int numHeads,
        int numChannels, int imageSize, int patchSize, double layerNormEps, String hiddenAct) {

    public int patchesPerSide() {
        return imageSize / patchSize;
    }

    public int numPatches() {
        return patchesPerSide() * patchesPerSide();
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    public static ClipVisionConfig parse(JsonFields f) {
        String type = f.string("model_type", "clip_vision_model");
        if (!type.equals("clip_vision_model")) {
            throw f.error("model_type", "vision tower '" + type + "' is not supported yet (only clip_vision_model)");
        }
        ClipVisionConfig c = new ClipVisionConfig(
                f.positive("hidden_size", 768),
                f.positive("intermediate_size", 3072),
                f.positive("num_hidden_layers", 12),
                f.positive("num_attention_heads", 12),
                f.positive("num_channels", 3),
                f.positive("image_size", 224),
                f.positive("patch_size", 32),
                f.number("layer_norm_eps", 1e-5),
                f.string("hidden_act", "quick_gelu"));
        if (c.hiddenSize % c.numHeads != 0) {
            throw f.error("num_attention_heads", "must divide hidden_size " + c.hiddenSize);
        }
        if (!(c.layerNormEps > 0) || Double.isInfinite(c.layerNormEps)) {
            throw f.error("layer_norm_eps", "must be a positive finite number, found " + c.layerNormEps);
        }
        if (c.imageSize % c.patchSize != 0) {
            throw f.error("patch_size", "must divide image_size " + c.imageSize);
        }
        Activation.check(f, "hidden_act", c.hiddenAct);
        return c;
    }
}
