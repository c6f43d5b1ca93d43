package org.lvlmworkbench.core.sample;

import ai.djl.ndarray.NDArray;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.export.WeightsWriter;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * Writes a complete LLaVA-1.5 model folder in exact HF layout: {@code config.json},
 * {@code generation_config.json}, weights, tokenizer, {@code preprocessor_config.json},
 * {@code processor_config.json} and {@code chat_template.json}.
 */
public final class LlavaFolderWriter {

    /** The chat template llava-hf/llava-1.5 checkpoints ship. */
    public static final String LLAVA_15_TEMPLATE = "{% for message in messages %}{% if message['role'] != 'system' %}"
            + "{{ message['role'].upper() + ': '}}{% endif %}{# Render all images first #}"
            + "{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}{{ '<image>\n' }}"
            + "{% endfor %}{# Render all text next #}{% if message['role'] != 'assistant' %}"
            + "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
            + "{{ content['text'] + ' '}}{% endfor %}{% else %}"
            + "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
            + "{% generation %}{{ content['text'] + ' '}}{% endgeneration %}{% endfor %}{% endif %}{% endfor %}"
            + "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}";

    private LlavaFolderWriter() {
    }

    public static void write(Path folder, LlavaSpec spec, WordLevelTokenizer tokenizer, Map<String, NDArray> weights,
            DType dtype, int shards) {
        createFolder(folder);
        WeightsWriter.writeJsonAtomically(folder.resolve("config.json"), config(spec, tokenizer, dtype));
        WeightsWriter.writeJsonAtomically(folder.resolve("generation_config.json"), generationConfig(tokenizer));
        WeightsWriter.write(folder, weights, dtype, shards);
        writeProcessorFiles(folder, spec, tokenizer);
    }

    /**
     * Everything but the weights: configs, tokenizer, image processor and chat template (for writers
     * that stream the weights themselves).
     */
    public static void writeAllButWeights(Path folder, LlavaSpec spec, WordLevelTokenizer tokenizer, DType dtype) {
        createFolder(folder);
        WeightsWriter.writeJsonAtomically(folder.resolve("config.json"), config(spec, tokenizer, dtype));
        WeightsWriter.writeJsonAtomically(folder.resolve("generation_config.json"), generationConfig(tokenizer));
        writeProcessorFiles(folder, spec, tokenizer);
    }

    private static void createFolder(Path folder) {
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException(folder + ": cannot create folder: " + e.getMessage(), e);
        }
    }

    private static void writeProcessorFiles(Path folder, LlavaSpec spec, WordLevelTokenizer tokenizer) {
        tokenizer.writeTo(folder);
        WeightsWriter.writeJsonAtomically(folder.resolve("preprocessor_config.json"), preprocessor(spec));
        WeightsWriter.writeJsonAtomically(folder.resolve("processor_config.json"), processor(spec));
        JsonObject template = new JsonObject();
        template.addProperty("chat_template", LLAVA_15_TEMPLATE);
        WeightsWriter.writeJsonAtomically(folder.resolve("chat_template.json"), template);
    }

    static JsonObject config(LlavaSpec s, WordLevelTokenizer tok, DType dtype) {
        JsonObject c = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("LlavaForConditionalGeneration");
        c.add("architectures", arch);
        c.addProperty("model_type", "llava");
        c.addProperty("image_token_index", tok.id(WordLevelTokenizer.IMAGE));
        c.addProperty("image_seq_length", s.tokensPerImage());
        c.addProperty("projector_hidden_act", "gelu");
        c.addProperty("vision_feature_layer", -2);
        c.addProperty("vision_feature_select_strategy", "default");
        c.addProperty("multimodal_projector_bias", true);
        c.addProperty("tie_word_embeddings", false);
        c.addProperty("torch_dtype", torchName(dtype));
        c.addProperty("transformers_version", "4.46.0");
        JsonObject v = new JsonObject();
        v.addProperty("model_type", "clip_vision_model");
        v.addProperty("hidden_size", s.visionHidden());
        v.addProperty("intermediate_size", s.visionIntermediate());
        v.addProperty("num_hidden_layers", s.visionLayers());
        v.addProperty("num_attention_heads", s.visionHeads());
        v.addProperty("num_channels", 3);
        v.addProperty("image_size", s.imageSize());
        v.addProperty("patch_size", s.patchSize());
        v.addProperty("hidden_act", "quick_gelu");
        v.addProperty("layer_norm_eps", 1e-5);
        v.addProperty("projection_dim", s.visionHidden());
        c.add("vision_config", v);
        JsonObject t = new JsonObject();
        t.addProperty("model_type", "llama");
        t.addProperty("vocab_size", tok.size());
        t.addProperty("hidden_size", s.textHidden());
        t.addProperty("intermediate_size", s.textIntermediate());
        t.addProperty("num_hidden_layers", s.textLayers());
        t.addProperty("num_attention_heads", s.textHeads());
        t.addProperty("num_key_value_heads", s.textKvHeads());
        t.addProperty("max_position_embeddings", s.maxPositions());
        t.addProperty("rms_norm_eps", 1e-5);
        t.addProperty("rope_theta", s.ropeTheta());
        t.addProperty("hidden_act", "silu");
        t.addProperty("attention_bias", false);
        t.addProperty("mlp_bias", false);
        t.addProperty("tie_word_embeddings", false);
        t.addProperty("bos_token_id", tok.id(WordLevelTokenizer.BOS));
        t.addProperty("eos_token_id", tok.id(WordLevelTokenizer.EOS));
        t.addProperty("pad_token_id", tok.id(WordLevelTokenizer.PAD));
        c.add("text_config", t);
        c.addProperty("pad_token_id", tok.id(WordLevelTokenizer.PAD));
        return c;
    }

    private static JsonObject generationConfig(WordLevelTokenizer tok) {
        JsonObject g = new JsonObject();
        g.addProperty("bos_token_id", tok.id(WordLevelTokenizer.BOS));
        g.addProperty("eos_token_id", tok.id(WordLevelTokenizer.EOS));
        g.addProperty("pad_token_id", tok.id(WordLevelTokenizer.PAD));
        return g;
    }

    private static JsonObject preprocessor(LlavaSpec s) {
        JsonObject p = new JsonObject();
        p.addProperty("image_processor_type", "CLIPImageProcessor");
        p.addProperty("processor_class", "LlavaProcessor");
        p.addProperty("do_resize", true);
        JsonObject size = new JsonObject();
        size.addProperty("shortest_edge", s.imageSize());
        p.add("size", size);
        p.addProperty("resample", 3);
        p.addProperty("do_center_crop", true);
        JsonObject crop = new JsonObject();
        crop.addProperty("height", s.imageSize());
        crop.addProperty("width", s.imageSize());
        p.add("crop_size", crop);
        p.addProperty("do_rescale", true);
        p.addProperty("rescale_factor", 1 / 255.0);
        p.addProperty("do_normalize", true);
        p.add("image_mean", numbers(0.48145466, 0.4578275, 0.40821073));
        p.add("image_std", numbers(0.26862954, 0.26130258, 0.27577711));
        p.addProperty("do_convert_rgb", true);
        return p;
    }

    private static JsonObject processor(LlavaSpec s) {
        JsonObject p = new JsonObject();
        p.addProperty("processor_class", "LlavaProcessor");
        p.addProperty("image_token", WordLevelTokenizer.IMAGE);
        p.addProperty("patch_size", s.patchSize());
        p.addProperty("vision_feature_select_strategy", "default");
        p.addProperty("num_additional_image_tokens", 1);
        return p;
    }

    private static JsonArray numbers(double... values) {
        JsonArray a = new JsonArray();
        for (double v : values) {
            a.add(v);
        }
        return a;
    }

    private static String torchName(DType d) {
        return switch (d) {
            case BF16 -> "bfloat16";
            case F16 -> "float16";
            default -> "float32";
        };
    }

    /** The checkpoint key of every tensor a LLaVA model of this spec has, in HF's order. */
    public static Map<String, long[]> tensorShapes(LlavaSpec s, LlavaKeyLayout layout, int vocab) {
        Map<String, long[]> m = new java.util.LinkedHashMap<>();
        String v = layout.vision();
        long vh = s.visionHidden();
        m.put(v + "embeddings.class_embedding", new long[] {vh});
        m.put(v + "embeddings.patch_embedding.weight", new long[] {vh, 3, s.patchSize(), s.patchSize()});
        m.put(v + "embeddings.position_embedding.weight", new long[] {s.tokensPerImage() + 1, vh});
        m.put(v + "pre_layrnorm.weight", new long[] {vh});
        m.put(v + "pre_layrnorm.bias", new long[] {vh});
        for (int i = 0; i < s.visionLayers(); i++) {
            String p = v + "encoder.layers." + i + ".";
            for (String proj : new String[] {"k_proj", "v_proj", "q_proj", "out_proj"}) {
                m.put(p + "self_attn." + proj + ".weight", new long[] {vh, vh});
                m.put(p + "self_attn." + proj + ".bias", new long[] {vh});
            }
            m.put(p + "layer_norm1.weight", new long[] {vh});
            m.put(p + "layer_norm1.bias", new long[] {vh});
            m.put(p + "mlp.fc1.weight", new long[] {s.visionIntermediate(), vh});
            m.put(p + "mlp.fc1.bias", new long[] {s.visionIntermediate()});
            m.put(p + "mlp.fc2.weight", new long[] {vh, s.visionIntermediate()});
            m.put(p + "mlp.fc2.bias", new long[] {vh});
            m.put(p + "layer_norm2.weight", new long[] {vh});
            m.put(p + "layer_norm2.bias", new long[] {vh});
        }
        m.put(v + "post_layernorm.weight", new long[] {vh});
        m.put(v + "post_layernorm.bias", new long[] {vh});
        long th = s.textHidden();
        m.put(layout.projector() + "linear_1.weight", new long[] {th, vh});
        m.put(layout.projector() + "linear_1.bias", new long[] {th});
        m.put(layout.projector() + "linear_2.weight", new long[] {th, th});
        m.put(layout.projector() + "linear_2.bias", new long[] {th});
        String t = layout.text();
        long headDim = th / s.textHeads();
        long kv = headDim * s.textKvHeads();
        m.put(t + "embed_tokens.weight", new long[] {vocab, th});
        for (int i = 0; i < s.textLayers(); i++) {
            String p = t + "layers." + i + ".";
            m.put(p + "self_attn.q_proj.weight", new long[] {th, th});
            m.put(p + "self_attn.k_proj.weight", new long[] {kv, th});
            m.put(p + "self_attn.v_proj.weight", new long[] {kv, th});
            m.put(p + "self_attn.o_proj.weight", new long[] {th, th});
            m.put(p + "mlp.gate_proj.weight", new long[] {s.textIntermediate(), th});
            m.put(p + "mlp.up_proj.weight", new long[] {s.textIntermediate(), th});
            m.put(p + "mlp.down_proj.weight", new long[] {th, s.textIntermediate()});
            m.put(p + "input_layernorm.weight", new long[] {th});
            m.put(p + "post_attention_layernorm.weight", new long[] {th});
        }
        m.put(t + "norm.weight", new long[] {th});
        m.put(layout.lmHead(), new long[] {vocab, th});
        return m;
    }
}
