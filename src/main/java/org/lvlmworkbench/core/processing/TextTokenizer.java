package org.lvlmworkbench.core.processing;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.config.JsonFields;

/** A model's {@code tokenizer.json}, through the HF tokenizers library that DJL binds. */
public final class TextTokenizer implements AutoCloseable {

    public static final String FILE = "tokenizer.json";

    /**
     * Which of transformers' two {@code apply_chat_template(tokenize=True)} rules encodes a rendered
     * chat: they differ in whether the tokenizer's special tokens (e.g. BOS) are added.
     */
    public enum ChatEncoding {
        /**
         * {@code PreTrainedTokenizerBase.apply_chat_template} (tokenization_utils_base.py:3124-3129)
         * calls {@code self(rendered_chat, ..., add_special_tokens=False, ...)}: the template alone
         * decides the special tokens. This is what a text-only model's {@code AutoProcessor} (its
         * tokenizer) does.
         */
        TOKENIZER,
        /**
         * {@code ProcessorMixin.apply_chat_template} (processing_utils.py:2226-2227):
         * {@code if self.tokenizer.bos_token is not None and single_prompt.startswith(self.tokenizer.bos_token):
         * processor_kwargs["add_special_tokens"] = False}; otherwise the processor's call adds them
         * (its default), which is also what the common two-step use, {@code apply_chat_template(tokenize=False)}
         * then {@code processor(text=prompt, images=...)}, gives for templates that do not emit BOS.
         */
        PROCESSOR
    }

    /**
     * The rows of the model's embedding table ({@code vocab_size}) and where it was read, so an id
     * outside it is reported against both files.
     */
    public record VocabLimit(int size, Path configFile, String field, boolean fieldPresent) {

        public static VocabLimit of(int size, JsonFields config, String field) {
            return new VocabLimit(size, config.file(), config.path(field), config.has(field));
        }

        String describe() {
            return configFile + "'s '" + field + "' " + (fieldPresent ? "is " + size : "is absent (default " + size + ")")
                    + ", so the embedding table has ids 0.." + (size - 1);
        }
    }

    /** The largest id {@code tokenizer.json} can produce, and which token and field hold it. */
    public record MaxId(long id, String token, String field) {
    }

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;
    private MaxId maxId;

    private TextTokenizer(Path file, HuggingFaceTokenizer tokenizer) {
        this.file = file;
        this.tokenizer = tokenizer;
    }

    public static TextTokenizer load(Path folder) {
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file, null, "file is missing");
        }
        try {
            HuggingFaceTokenizer t = HuggingFaceTokenizer.newInstance(file,
                    Map.of("addSpecialTokens", "false", "padding", "false", "truncation", "false"));
            return new TextTokenizer(file, t);
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(file, null, "is not a valid HF tokenizers file: " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** Token ids of {@code text}; {@code addSpecialTokens} applies the tokenizer's post-processor (e.g. BOS). */
    public long[] encode(String text, boolean addSpecialTokens) {
        Encoding e = tokenizer.encode(text, addSpecialTokens, false);
        return e.getIds();
    }

    /**
     * Token ids of a chat the template has rendered, with transformers' rule for special tokens
     * (see {@link ChatEncoding}); this is the one place that rule lives. {@code bosToken} is the
     * tokenizer's {@code bos_token} text, or null when it has none.
     */
    public long[] encodeRenderedChat(String rendered, String bosToken, ChatEncoding rule) {
        return encode(rendered, addsSpecialTokens(rendered, bosToken, rule));
    }

    /** Whether transformers encodes a rendered chat with {@code add_special_tokens=True}. */
    public static boolean addsSpecialTokens(String rendered, String bosToken, ChatEncoding rule) {
        return switch (rule) {
            case TOKENIZER -> false;
            // processing_utils.py:2226: `if self.tokenizer.bos_token is not None and
            // single_prompt.startswith(self.tokenizer.bos_token): processor_kwargs["add_special_tokens"] = False`
            case PROCESSOR -> !(bosToken != null && rendered.startsWith(bosToken));
        };
    }

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /**
     * The id of a token that must encode to exactly one id, such as {@code <image>}; refused, naming
     * {@code tokenizer.json}, when the tokenizer splits it or does not know it.
     */
    public long singleTokenId(String token) {
        return findSingleToken(token).orElseThrow(() -> {
            long[] ids = encode(token, false);
            return new ConfigException(file, "added_tokens", "'" + token + "' is not a single token in it: it encodes to "
                    + ids.length + " id(s) " + Arrays.toString(ids) + " as " + Arrays.toString(
                            tokenizer.encode(token, false, false).getTokens())
                    + "; the model needs '" + token + "' as one (added) token");
        });
    }

    /** The id of {@code token} when the tokenizer encodes it to exactly that one token. */
    public Optional<Long> findSingleToken(String token) {
        Encoding e = tokenizer.encode(token, false, false);
        long[] ids = e.getIds();
        String[] tokens = e.getTokens();
        return ids.length == 1 && tokens.length == 1 && token.equals(tokens[0]) ? Optional.of(ids[0]) : Optional.empty();
    }

    /**
     * The largest id this tokenizer can produce: the highest of {@code model.vocab} (a token → id map
     * for BPE, WordPiece and WordLevel; a list of {@code [piece, score]} whose index is the id for
     * Unigram) and {@code added_tokens[*].id}. Read once from {@code tokenizer.json}.
     */
    public synchronized MaxId maxId() {
        if (maxId == null) {
            maxId = readMaxId(JsonFields.read(file));
        }
        return maxId;
    }

    static MaxId readMaxId(JsonFields json) {
        MaxId best = new MaxId(-1, null, null);
        JsonFields model = json.object("model");
        if (model.has("vocab")) {
            JsonElement vocab = model.raw().get("vocab");
            if (vocab.isJsonObject()) {
                JsonFields v = model.object("vocab");
                for (String token : v.raw().keySet()) {
                    int id = v.integer(token);
                    if (id > best.id()) {
                        best = new MaxId(id, token, v.path(token));
                    }
                }
            } else if (vocab.isJsonArray()) {
                JsonArray pieces = vocab.getAsJsonArray();
                if (pieces.size() > 0) {
                    int last = pieces.size() - 1;
                    JsonElement piece = pieces.get(last);
                    String text = piece.isJsonArray() && piece.getAsJsonArray().size() > 0
                            && piece.getAsJsonArray().get(0).isJsonPrimitive()
                            ? piece.getAsJsonArray().get(0).getAsString() : String.valueOf(piece);
                    best = new MaxId(last, text, model.path("vocab[" + last + "]"));
                }
            } else {
                throw model.error("vocab", "must be an object of token ids or a list of [piece, score] pairs");
            }
        }
        if (json.has("added_tokens")) {
            JsonElement added = json.raw().get("added_tokens");
            if (!added.isJsonArray()) {
                throw json.error("added_tokens", "must be a list of token objects");
            }
            JsonArray list = added.getAsJsonArray();
            for (int i = 0; i < list.size(); i++) {
                String field = "added_tokens[" + i + "]";
                if (!list.get(i).isJsonObject()) {
                    throw json.error(field, "must be an object with 'id' and 'content'");
                }
                JsonFields t = new JsonFields(json.file(), json.path(field), list.get(i).getAsJsonObject());
                int id = t.integer("id");
                if (id < 0) {
                    throw t.error("id", "must not be negative, found " + id);
                }
                if (id > best.id()) {
                    best = new MaxId(id, t.string("content"), t.path("id"));
                }
            }
        }
        return best;
    }

    /**
     * Refuses a tokenizer that can produce an id beyond the model's embedding table (the model
     * would fail deep inside with "index out of range in self").
     */
    public void checkFits(VocabLimit limit) {
        MaxId max = maxId();
        if (max.id() >= limit.size()) {
            throw new ConfigException(file, max.field(), "token '" + max.token() + "' has id " + max.id()
                    + ", beyond the model's embedding table: " + limit.describe()
                    + "; the tokenizer and the model's config.json do not belong together");
        }
    }

    /** Encode-time guard: every id must have a row in the embedding table. */
    public void checkIds(long[] ids, VocabLimit limit) {
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= limit.size()) {
                throw new ConfigException(file, null, "produced token id " + ids[i] + tokenText(ids[i]) + " at position "
                        + i + ", beyond the model's embedding table: " + limit.describe()
                        + "; the tokenizer and the model's config.json do not belong together");
            }
        }
    }

    private String tokenText(long id) {
        try {
            String text = id >= 0 ? tokenizer.decode(new long[] {id}, false) : "";
            return text.isEmpty() ? "" : " ('" + text + "')";
        } catch (RuntimeException e) {
            return "";
        }
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
