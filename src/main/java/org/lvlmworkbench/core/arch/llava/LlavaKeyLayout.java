package org.lvlmworkbench.core.arch.llava;

import org.lvlmworkbench.core.nn.WeightException;
import org.lvlmworkbench.core.safetensors.Checkpoint;

/**
 * Where a LLaVA checkpoint keeps its parts. transformers before 4.52 saved
 * {@code language_model.model.layers.N...}; later versions save
 * {@code model.language_model.layers.N...}. Both are read; export writes the layout it read.
 */
public record LlavaKeyLayout(String name, String vision, String projector, String text, String lmHead) {

    public static final LlavaKeyLayout LEGACY = new LlavaKeyLayout("legacy", "vision_tower.vision_model.",
            "multi_modal_projector.", "language_model.model.", "language_model.lm_head.weight");
    public static final LlavaKeyLayout CURRENT = new LlavaKeyLayout("current", "model.vision_tower.vision_model.",
            "model.multi_modal_projector.", "model.language_model.", "lm_head.weight");

    public static LlavaKeyLayout detect(Checkpoint checkpoint) {
        for (LlavaKeyLayout layout : new LlavaKeyLayout[] {CURRENT, LEGACY}) {
            if (checkpoint.contains(layout.text + "embed_tokens.weight")) {
                return layout;
            }
        }
        throw new WeightException(checkpoint.folder(), "embed_tokens.weight",
                "found neither " + CURRENT.text + "embed_tokens.weight nor " + LEGACY.text
                        + "embed_tokens.weight: this is not a LLaVA checkpoint");
    }

    /** The component a parameter belongs to, for size reports. */
    public String componentOf(String key) {
        if (key.startsWith(vision)) {
            return "vision_tower";
        }
        if (key.startsWith(projector)) {
            return "multi_modal_projector";
        }
        if (key.startsWith(text + "embed_tokens")) {
            return "embed_tokens";
        }
        if (key.startsWith(text + "layers.")) {
            return "decoder_layers";
        }
        if (key.startsWith(text + "norm.")) {
            return "final_norm";
        }
        if (key.equals(lmHead)) {
            return "lm_head";
        }
        return "other";
    }
}
