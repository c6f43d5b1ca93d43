package org.lvlmworkbench.core.sample;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.export.WeightsWriter;

/**
 * Builds a word-level {@code tokenizer.json} in HF tokenizers format: lower-cased, split on
 * whitespace and punctuation, with special tokens as added tokens and a BOS post-processor, so the
 * same DJL tokenizer binding that reads real checkpoints reads ours.
 */
public final class WordLevelTokenizer {

    public static final String PAD = "<pad>";
    public static final String BOS = "<s>";
    public static final String EOS = "</s>";
    public static final String UNK = "<unk>";
    public static final String IMAGE = "<image>";
    public static final List<String> SPECIALS = List.of(PAD, BOS, EOS, UNK, IMAGE);

    private final Map<String, Integer> vocab = new LinkedHashMap<>();

    public WordLevelTokenizer(List<String> words) {
        for (String s : SPECIALS) {
            vocab.put(s, vocab.size());
        }
        for (String w : words) {
            String lw = w.toLowerCase();
            if (!vocab.containsKey(lw)) {
                vocab.put(lw, vocab.size());
            }
        }
    }

    /**
     * A tokenizer of {@code words} (after the special tokens) filled up to exactly {@code size}
     * entries with placeholder tokens {@code tok<id>}, so its ids cover a real-size embedding table
     * (32 000 rows for Llama) and a generated id always decodes to something.
     */
    public static WordLevelTokenizer padded(List<String> words, int size) {
        WordLevelTokenizer t = new WordLevelTokenizer(words);
        if (size < t.size()) {
            throw new IllegalArgumentException("a vocabulary of " + size + " cannot hold the " + t.size()
                    + " special tokens and words");
        }
        for (int id = t.size(); t.vocab.size() < size; id++) {
            String filler = "tok" + id;
            if (!t.vocab.containsKey(filler)) {
                t.vocab.put(filler, t.vocab.size());
            }
        }
        return t;
    }

    public int size() {
        return vocab.size();
    }

    public int id(String token) {
        Integer id = vocab.get(token);
        if (id == null) {
            throw new IllegalArgumentException("'" + token + "' is not in the vocabulary");
        }
        return id;
    }

    public List<String> words() {
        return new ArrayList<>(vocab.keySet());
    }

    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("version", "1.0");
        root.add("truncation", JsonNull.INSTANCE);
        root.add("padding", JsonNull.INSTANCE);
        JsonArray added = new JsonArray();
        for (String s : SPECIALS) {
            JsonObject t = new JsonObject();
            t.addProperty("id", vocab.get(s));
            t.addProperty("content", s);
            t.addProperty("single_word", false);
            t.addProperty("lstrip", false);
            t.addProperty("rstrip", false);
            t.addProperty("normalized", false);
            t.addProperty("special", true);
            added.add(t);
        }
        root.add("added_tokens", added);
        JsonObject normalizer = new JsonObject();
        normalizer.addProperty("type", "Lowercase");
        root.add("normalizer", normalizer);
        JsonObject pre = new JsonObject();
        pre.addProperty("type", "Whitespace");
        root.add("pre_tokenizer", pre);
        root.add("post_processor", bosProcessor());
        JsonObject decoder = new JsonObject();
        decoder.addProperty("type", "WordPiece");
        decoder.addProperty("prefix", "##");
        decoder.addProperty("cleanup", true);
        root.add("decoder", decoder);
        JsonObject model = new JsonObject();
        model.addProperty("type", "WordLevel");
        JsonObject v = new JsonObject();
        vocab.forEach(v::addProperty);
        model.add("vocab", v);
        model.addProperty("unk_token", UNK);
        root.add("model", model);
        return root;
    }

    private JsonObject bosProcessor() {
        JsonObject p = new JsonObject();
        p.addProperty("type", "TemplateProcessing");
        p.add("single", template(false));
        p.add("pair", template(true));
        JsonObject specials = new JsonObject();
        JsonObject bos = new JsonObject();
        bos.addProperty("id", BOS);
        JsonArray ids = new JsonArray();
        ids.add(vocab.get(BOS));
        bos.add("ids", ids);
        JsonArray tokens = new JsonArray();
        tokens.add(BOS);
        bos.add("tokens", tokens);
        specials.add(BOS, bos);
        p.add("special_tokens", specials);
        return p;
    }

    private static JsonArray template(boolean pair) {
        JsonArray a = new JsonArray();
        a.add(piece("SpecialToken", BOS, 0));
        a.add(piece("Sequence", "A", 0));
        if (pair) {
            a.add(piece("Sequence", "B", 1));
        }
        return a;
    }

    private static JsonObject piece(String kind, String id, int typeId) {
        JsonObject inner = new JsonObject();
        inner.addProperty("id", id);
        inner.addProperty("type_id", typeId);
        JsonObject outer = new JsonObject();
        outer.add(kind, inner);
        return outer;
    }

    /** Writes tokenizer.json and tokenizer_config.json naming the special tokens. */
    public void writeTo(Path folder) {
        WeightsWriter.writeJsonAtomically(folder.resolve("tokenizer.json"), toJson());
        JsonObject config = new JsonObject();
        config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
        config.addProperty("bos_token", BOS);
        config.addProperty("eos_token", EOS);
        config.addProperty("pad_token", PAD);
        config.addProperty("unk_token", UNK);
        config.addProperty("model_max_length", 4096);
        config.addProperty("padding_side", "left");
        WeightsWriter.writeJsonAtomically(folder.resolve("tokenizer_config.json"), config);
    }
}
