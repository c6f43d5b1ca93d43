package org.lvlmworkbench.core.arch.llama;

import org.lvlmworkbench.core.config.Activation;
import org.lvlmworkbench.core.config.JsonFields;

import java.util.List;

/**
 * A Llama-family decoder (Llama, Qwen2): the text model of LLaVA-1.5 and LLaVA-NeXT/OneVision.
 * Missing fields take the defaults of the matching HF config class, as transformers does.
 *
 * @param qkvBias   q/k/v projections carry a bias (Qwen2 always; Llama when attention_bias)
 * @param outputBias o_proj carries a bias (Llama when attention_bias; never Qwen2)
 */
public record DecoderConfig(String modelType, int vocabSize, int hiddenSize, int intermediateSize, int numLayers,
        int numHeads, int numKvHeads, int headDim, double rmsNormEps, double ropeTheta, RopeScaling ropeScaling,
        int maxPositionEmbeddings, String hiddenAct, boolean tieWordEmbeddings, boolean qkvBias, boolean outputBias,
        boolean mlpBias, Integer bosTokenId, List<Integer> eosTokenIds, Integer padTokenId) {

    public static final List<String> SUPPORTED_TYPES = List.of("llama", "qwen2");

    public int groupSize() {
        return numHeads / numKvHeads;
    }

    public static DecoderConfig parse(JsonFields f) {
        String type = f.string("model_type", "llama");
        boolean qwen = type.equals("qwen2");
        if (!SUPPORTED_TYPES.contains(type)) {
            throw f.error("model_type", "text model '" + type + "' is not supported yet; known: " + SUPPORTED_TYPES);
        }
        int hidden = f.positive("hidden_size", qwen ? 4096 : 4096);
        int heads = f.positive("num_attention_heads", 32);
        int kvHeads = f.positive("num_key_value_heads", heads);
        if (hidden % heads != 0 && !f.has("head_dim")) {
            throw f.error("num_attention_heads", "must divide hidden_size " + hidden);
        }
        if (heads % kvHeads != 0) {
            throw f.error("num_key_value_heads", "must divide num_attention_heads " + heads);
        }
        int headDim = f.positive("head_dim", hidden / heads);
        if (headDim % 2 != 0) {
            throw f.error("head_dim", "must be even for rotary embeddings, found " + headDim);
        }
        boolean attentionBias = f.bool("attention_bias", false);
        DecoderConfig c = new DecoderConfig(type,
                f.positive("vocab_size", qwen ? 151936 : 32000),
                hidden,
                f.positive("intermediate_size", qwen ? 22016 : 11008),
                f.positive("num_hidden_layers", 32),
                heads, kvHeads, headDim,
                f.number("rms_norm_eps", 1e-6),
                f.number("rope_theta", 10000.0),
                RopeScaling.parse(f),
                f.positive("max_position_embeddings", qwen ? 32768 : 2048),
                f.string("hidden_act", "silu"),
                f.bool("tie_word_embeddings", false),
                qwen || attentionBias,
                !qwen && attentionBias,
                f.bool("mlp_bias", false),
                f.has("bos_token_id") ? f.integer("bos_token_id") : null,
                f.integers("eos_token_id"),
                f.has("pad_token_id") ? f.integer("pad_token_id") : null);
        Activation.check(f, "hidden_act", c.hiddenAct);
        return c;
    }
}
