package org.lvlmworkbench.core.arch.llama;

import org.lvlmworkbench.core.config.Activation;
import org.lvlmworkbench.core.config.JsonFields;

import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Llama-family decoder (Llama, Qwen2): the text model of LLaVA-1.5 and LLaVA-NeXT/OneVision.
 * Missing fields take the defaults of the matching HF config class, as transformers does; values
 * that cannot work (a non-positive size or epsilon, an odd head, θ ≤ 0) are refused with the field
 * named. Rotary settings are read from {@code rope_parameters} (transformers 5) or {@code rope_theta}
 * plus {@code rope_scaling} (earlier), see {@link RopeScaling#parse}.
 *
 * @param qkvBias   q/k/v projections carry a bias (Qwen2 always; Llama when attention_bias)
 * @param outputBias o_proj carries a bias (Llama when attention_bias; never Qwen2)
 * @param droppedAttention layers whose attention sub-layer was removed by compression (LLM-Drop's
 *                  {@code drop_attn_list}): the residual stream passes through unchanged there
 * @param droppedMlp layers whose MLP sub-layer was removed ({@code drop_mlp_list})
 */
public record DecoderConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
        int numHeads, int numKvHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
        int maxPositionEmbeddings, String hiddenAct, boolean tieWordEmbeddings, boolean qkvBias, boolean outputBias,
        boolean mlpBias, Integer bosTokenId, List<Integer> eosTokenIds, Integer padTokenId,
        Set<Integer> droppedAttention, Set<Integer> droppedMlp) {

    public static final List<String> SUPPORTED_TYPES = List.of("llama", "qwen2");

    public int groupSize() {
        return numHeads / numKvHeads;
    }

    public boolean hasAttention(int layer) {
        return !droppedAttention.contains(layer);
    }

    public boolean hasMlp(int layer) {
        return !droppedMlp.contains(layer);
    }

    /** Layer indices listed under {@code field}, each checked against {@code num_hidden_layers}. */
    private static Set<Integer> layerSet(JsonFields f, String field) {
        if (!f.has(field)) {
            return Set.of();
        }
        int layers = f.positive("num_hidden_layers", 32);
        Set<Integer> out = new TreeSet<>();
        for (int layer : f.integers(field)) {
            if (layer < 0 || layer >= layers) {
                throw f.error(field, "layer " + layer + " is outside 0.." + (layers - 1));
            }
            if (!out.add(layer)) {
                throw f.error(field, "lists layer " + layer + " twice");
            }
        }
        return Collections.unmodifiableSet(out);
    }

    public static DecoderConfig parse(JsonFields f) {
        String type = f.string("model_type", "llama");
        boolean qwen = type.equals("qwen2");
        if (!SUPPORTED_TYPES.contains(type)) {
            throw f.error("model_type", "text model '" + type + "' is not supported yet; known: " + SUPPORTED_TYPES);
        }
        int hidden = f.positive("hidden_size", 4096);
        int heads = f.positive("num_attention_heads", 32);
        // LlamaConfig takes num_attention_heads for a missing or null num_key_value_heads; Qwen2Config's
        // default is 32, and only an explicit null becomes num_attention_heads.
        int kvHeads = f.positive("num_key_value_heads", qwen && !f.raw().has("num_key_value_heads") ? 32 : heads);
        // LlamaConfig.validate_architecture refuses this even when head_dim is given; Qwen2Config has no such
        // check and takes head_dim = hidden_size // num_attention_heads when head_dim is absent.
        if (!qwen && hidden % heads != 0) {
            throw f.error("num_attention_heads", "must divide hidden_size " + hidden);
        }
        if (heads % kvHeads != 0) {
            throw f.error("num_key_value_heads", "must divide num_attention_heads " + heads);
        }
        int headDim = f.positive("head_dim", hidden / heads);
        if (headDim % 2 != 0) {
            throw f.error("head_dim", "must be even for rotary embeddings, found " + headDim);
        }
        double eps = f.number("rms_norm_eps", 1e-6);
        if (!(eps > 0) || Double.isInfinite(eps)) {
            throw f.error("rms_norm_eps", "must be a positive finite number, found " + eps
                    + " (RMSNorm divides by sqrt(mean(x²) + eps))");
        }
        int maxPositions = f.positive("max_position_embeddings", qwen ? 32768 : 2048);
        RopeScaling.Parameters rope = RopeScaling.parse(f, maxPositions, headDim);
        boolean attentionBias = f.bool("attention_bias", false);
        DecoderConfig c = new DecoderConfig(type,
                f.positive("vocab_size", qwen ? 151936 : 32000),
                hidden,
                f.positive("intermediate_size", qwen ? 22016 : 11008),
                f.positive("num_hidden_layers", 32),
                heads, kvHeads, headDim,
                eps,
                rope.theta(),
                rope.scaling(),
                maxPositions,
                f.string("hidden_act", "silu"),
                f.bool("tie_word_embeddings", false),
                qwen || attentionBias,
                !qwen && attentionBias,
                f.bool("mlp_bias", false),
                f.has("bos_token_id") ? f.integer("bos_token_id") : null,
                f.integers("eos_token_id"),
                f.has("pad_token_id") ? f.integer("pad_token_id") : null,
                layerSet(f, "drop_attn_list"),
                layerSet(f, "drop_mlp_list"));
        Activation.check(f, "hidden_act", c.hiddenAct);
        return c;
    }
}
