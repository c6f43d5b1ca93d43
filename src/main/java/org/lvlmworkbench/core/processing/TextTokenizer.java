package org.lvlmworkbench.core.processing;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.lvlmworkbench.core.config.ConfigException;

/** A model's {@code tokenizer.json}, through the HF tokenizers library that DJL binds. */
public final class TextTokenizer implements AutoCloseable {

    public static final String FILE = "tokenizer.json";

    private final Path file;
    private final HuggingFaceTokenizer tokenizer;

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

    public String decode(long[] ids, boolean skipSpecialTokens) {
        return tokenizer.decode(ids, skipSpecialTokens);
    }

    /** The id of a token that must encode to exactly one id, such as {@code <image>}. */
    public long singleTokenId(String token) {
        long[] ids = encode(token, false);
        if (ids.length != 1) {
            throw new ConfigException(file, token, "expected one token id, the tokenizer produced " + ids.length);
        }
        return ids[0];
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
