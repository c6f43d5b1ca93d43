package org.lvlmworkbench.core.arch.llava;

import org.lvlmworkbench.core.arch.clip.ClipVisionConfig;
import org.lvlmworkbench.core.arch.llama.DecoderConfig;
import org.lvlmworkbench.core.config.Activation;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.model.pruning.InvalidPruningException;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

import java.util.List;

/**
 * {@code model_type: llava}: a CLIP vision tower, a two-layer MLP projector and a Llama-family
 * decoder. Defaults are those of HF {@code LlavaConfig}.
 *
 * @param visionFeatureLayers hidden-state indices of the vision tower whose outputs feed the
 *                            projector (negative counts from the end; several are concatenated)
 * @param visualTokenPruning  the workbench's own {@code visual_token_pruning} object (not an HF field):
 *                            which image tokens the decoder drops as the prompt runs, in
 *                            {@link VisualTokenPruning}'s JSON form; absent means none
 */
public record LlavaConfig(ClipVisionConfig vision, DecoderConfig text, int imageTokenIndex, String projectorHiddenAct,
        List<Integer> visionFeatureLayers, String visionFeatureSelectStrategy, boolean projectorBias,
        VisualTokenPruning visualTokenPruning) {

    /** The field of config.json that holds the pruning policy. */
    public static final String PRUNING_FIELD = "visual_token_pruning";

    public static LlavaConfig parse(JsonFields f) {
        ClipVisionConfig vision = ClipVisionConfig.parse(f.object("vision_config"));
        DecoderConfig text = DecoderConfig.parse(f.object("text_config"));
        List<Integer> layers = f.has("vision_feature_layer") ? f.integers("vision_feature_layer") : List.of(-2);
        for (int layer : layers) {
            int resolved = layer < 0 ? vision.numLayers() + 1 + layer : layer;
            if (resolved < 0 || resolved > vision.numLayers()) {
                throw f.error("vision_feature_layer", layer + " is outside 0.." + vision.numLayers()
                        + " (or -" + (vision.numLayers() + 1) + "..-1)");
            }
        }
        String strategy = f.string("vision_feature_select_strategy", "default");
        if (!strategy.equals("default") && !strategy.equals("full")) {
            throw f.error("vision_feature_select_strategy", "must be 'default' or 'full', found '" + strategy + "'");
        }
        String act = f.string("projector_hidden_act", "gelu");
        Activation.check(f, "projector_hidden_act", act);
        // transformers 5.18's LlavaConfig writes image_token_index; image_token_id is an alias
        // (attribute_map) that is set after the field, so it wins when a config carries both.
        String imageField = f.has("image_token_id") ? "image_token_id" : "image_token_index";
        int imageIndex = f.integer(imageField, 32000);
        if (imageIndex < 0 || imageIndex >= text.vocabSize()) {
            throw f.error(imageField, imageIndex + " is outside the vocabulary of " + text.vocabSize());
        }
        VisualTokenPruning pruning = VisualTokenPruning.NONE;
        if (f.has(PRUNING_FIELD)) {
            try {
                pruning = VisualTokenPruning.fromJson(f.raw().get(PRUNING_FIELD)).checkLayers(text.numLayers());
            } catch (InvalidPruningException e) {
                throw f.error(e.field().isEmpty() ? PRUNING_FIELD : PRUNING_FIELD + "." + e.field(), e.problem());
            }
        }
        return new LlavaConfig(vision, text, imageIndex, act, List.copyOf(layers), strategy,
                f.bool("multimodal_projector_bias", true), pruning);
    }

    /** The same configuration with another pruning policy (checked against the decoder's layer count). */
    public LlavaConfig withPruning(VisualTokenPruning pruning) {
        return new LlavaConfig(vision, text, imageTokenIndex, projectorHiddenAct, visionFeatureLayers,
                visionFeatureSelectStrategy, projectorBias, pruning.checkLayers(text.numLayers()));
    }

    /** Number of positions one image occupies in the decoder's sequence. */
    public int tokensPerImage() {
        return vision.numPatches() + (visionFeatureSelectStrategy.equals("full") ? 1 : 0);
    }

    /** Resolved, non-negative vision hidden-state indices. */
    public int[] resolvedFeatureLayers() {
        return visionFeatureLayers.stream()
                .mapToInt(l -> l < 0 ? vision.numLayers() + 1 + l : l).toArray();
    }

    /** How many vision layers must run: later ones never reach the projector. */
    public int visionLayersUsed() {
        int max = 0;
        for (int l : resolvedFeatureLayers()) {
            max = Math.max(max, l);
        }
        return max;
    }
}
