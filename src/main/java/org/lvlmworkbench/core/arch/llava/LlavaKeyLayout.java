package org.lvlmworkbench.core.arch.llava;

import java.util.List;
import org.lvlmworkbench.core.nn.WeightException;
import org.lvlmworkbench.core.safetensors.Checkpoint;

/**
 * Where a LLaVA checkpoint keeps its parts. transformers has written four layouts, and reads all of
 * them through its conversion mappings ({@code conversion_mapping.py}: {@code "llava"},
 * {@code "LlavaModel"} and {@code "CLIPVisionModel"}'s {@code PrefixChange(prefix_to_remove="vision_model")}):
 *
 * <ul>
 * <li>{@link #LEGACY}: the Hub's checkpoints, transformers before 4.52;</li>
 * <li>{@link #CURRENT}: transformers 4.52 to 4.57 (the module tree of {@code LlavaForConditionalGeneration});</li>
 * <li>{@link #V5}: transformers 5 {@code save_pretrained} (its "original format": the Hub's names,
 *     except that CLIP's tower is written without {@code vision_model.});</li>
 * <li>{@link #V5_INTERNAL}: transformers 5 {@code save_pretrained(save_original_format=False)}.</li>
 * </ul>
 *
 * Each part's prefix is detected on its own from the keys, so a checkpoint that mixes them (as a
 * hand-converted one may) still opens; its layout is then named "mixed" with the prefixes found.
 */
public record LlavaKeyLayout(String name, String vision, String projector, String text, String lmHead) {

    public static final LlavaKeyLayout LEGACY = new LlavaKeyLayout("Hub / transformers < 4.52",
            "vision_tower.vision_model.", "multi_modal_projector.", "language_model.model.",
            "language_model.lm_head.weight");
    public static final LlavaKeyLayout CURRENT = new LlavaKeyLayout("transformers 4.52–4.57",
            "model.vision_tower.vision_model.", "model.multi_modal_projector.", "model.language_model.",
            "lm_head.weight");
    public static final LlavaKeyLayout V5 = new LlavaKeyLayout("transformers 5 save_pretrained",
            "vision_tower.", "multi_modal_projector.", "language_model.model.", "language_model.lm_head.weight");
    public static final LlavaKeyLayout V5_INTERNAL = new LlavaKeyLayout(
            "transformers 5 save_pretrained(save_original_format=False)", "model.vision_tower.",
            "model.multi_modal_projector.", "model.language_model.", "lm_head.weight");

    public static final List<LlavaKeyLayout> KNOWN = List.of(LEGACY, CURRENT, V5, V5_INTERNAL);

    /** The user-facing name of a layout for {@code make-random --layout}. */
    public static LlavaKeyLayout byOption(String option) {
        return switch (option) {
            case "legacy" -> LEGACY;
            case "current" -> CURRENT;
            case "v5" -> V5;
            case "v5-internal" -> V5_INTERNAL;
            default -> throw new IllegalArgumentException(
                    "--layout must be legacy, current, v5 or v5-internal, got '" + option + "'");
        };
    }

    /** Detects each part's prefix from the keys present; names the layout when it is a known one. */
    public static LlavaKeyLayout detect(Checkpoint checkpoint) {
        // Longer prefixes first: "language_model." is also a prefix of "language_model.model.".
        String text = first(checkpoint, "embed_tokens.weight", "model.language_model.", "language_model.model.",
                "language_model.");
        if (text == null) {
            throw new WeightException(checkpoint.folder(), "embed_tokens.weight", "found no text model's "
                    + "embed_tokens.weight under model.language_model., language_model.model. or language_model.: "
                    + "this is not a LLaVA checkpoint");
        }
        String vision = first(checkpoint, "embeddings.patch_embedding.weight", "model.vision_tower.vision_model.",
                "vision_tower.vision_model.", "model.vision_tower.", "vision_tower.");
        if (vision == null) {
            throw new WeightException(checkpoint.folder(), "embeddings.patch_embedding.weight",
                    "found no CLIP patch embedding under [model.]vision_tower.[vision_model.]: the vision tower "
                            + "is missing from the checkpoint");
        }
        String projector = first(checkpoint, "linear_1.weight", "model.multi_modal_projector.",
                "multi_modal_projector.");
        if (projector == null) {
            // A compressed checkpoint may hold the first projection as two low-rank factors.
            projector = first(checkpoint, "linear_1.down.weight", "model.multi_modal_projector.", "multi_modal_projector.");
        }
        if (projector == null) {
            throw new WeightException(checkpoint.folder(), "multi_modal_projector.linear_1.weight",
                    "found no projector under [model.]multi_modal_projector.: it is missing from the checkpoint");
        }
        // A tied head is absent from the file; pick the name that matches the text layout then.
        String lmHead = checkpoint.contains("lm_head.weight") ? "lm_head.weight"
                : checkpoint.contains("language_model.lm_head.weight") ? "language_model.lm_head.weight"
                : text.startsWith("model.") ? "lm_head.weight" : "language_model.lm_head.weight";
        for (LlavaKeyLayout known : KNOWN) {
            if (known.vision.equals(vision) && known.projector.equals(projector) && known.text.equals(text)
                    && known.lmHead.equals(lmHead)) {
                return known;
            }
        }
        return new LlavaKeyLayout("mixed", vision, projector, text, lmHead);
    }

    private static String first(Checkpoint checkpoint, String suffix, String... prefixes) {
        for (String p : prefixes) {
            if (checkpoint.contains(p + suffix)) {
                return p;
            }
        }
        return null;
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
