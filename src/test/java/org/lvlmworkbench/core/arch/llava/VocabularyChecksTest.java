package org.lvlmworkbench.core.arch.llava;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.TextOnlyProcessor;
import org.lvlmworkbench.core.processing.TextTokenizer;
import org.lvlmworkbench.core.processing.TextTokenizer.VocabLimit;

/**
 * A tokenizer and a config.json that do not belong together are refused when the model is loaded,
 * each with its own cause, file and field. Folders are copies of the checked-in tiny LLaVA
 * (vocab_size 35, {@code <image>} = 4) with one JSON edit.
 */
class VocabularyChecksTest {

    private static final Path TINY = Path.of("src/test/resources/hf-reference/tiny-llava");

    @TempDir
    Path dir;

    private Path copy() throws IOException {
        try (Stream<Path> files = Files.list(TINY)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.copy(f, dir.resolve(f.getFileName()));
            }
        }
        return dir;
    }

    private static void edit(Path file, Consumer<JsonObject> change) throws IOException {
        JsonObject root = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        change.accept(root);
        Files.writeString(file, root.toString());
    }

    private static ConfigException loadFails(Path folder) {
        return assertThrows(ConfigException.class, () -> ModelLoader.load(folder, Device.cpu()).close());
    }

    private static void addToken(JsonObject tokenizer, String content, int id) {
        JsonObject t = new JsonObject();
        t.addProperty("id", id);
        t.addProperty("content", content);
        t.addProperty("single_word", false);
        t.addProperty("lstrip", false);
        t.addProperty("rstrip", false);
        t.addProperty("normalized", false);
        t.addProperty("special", true);
        tokenizer.getAsJsonArray("added_tokens").add(t);
    }

    @Test
    void tokenIdBeyondTheEmbeddingTableIsRefusedAtLoadAndAtEncode() throws IOException {
        Path folder = copy();
        edit(folder.resolve("tokenizer.json"), t -> addToken(t, "<extra>", 35));
        ConfigException e = loadFails(folder);
        assertEquals(folder.resolve("tokenizer.json"), e.file());
        assertEquals("added_tokens[5].id", e.field());
        assertTrue(e.getMessage().contains("token '<extra>' has id 35, beyond the model's embedding table"), e.getMessage());
        assertTrue(e.getMessage().contains("config.json's 'text_config.vocab_size' is 35"), e.getMessage());

        // The encode-time guard, for a processor built without the load-time check.
        JsonFields config = JsonFields.read(folder.resolve("config.json")).object("text_config");
        VocabLimit limit = VocabLimit.of(35, config, "vocab_size");
        try (TextTokenizer tok = TextTokenizer.load(folder)) {
            LlavaProcessor p = new LlavaProcessor(tok, null, null, 4, 16, limit);
            ConfigException atEncode = assertThrows(ConfigException.class, () -> p.encode("what <extra>", 0));
            assertEquals(folder.resolve("tokenizer.json"), atEncode.file());
            assertTrue(atEncode.getMessage().contains("produced token id 35"), atEncode.getMessage());
            assertTrue(atEncode.getMessage().contains("config.json's 'text_config.vocab_size' is 35"),
                    atEncode.getMessage());
            // A text-only model's processor checks the same at construction.
            ConfigException textOnly = assertThrows(ConfigException.class, () -> new TextOnlyProcessor(folder, tok, null,
                    VocabLimit.of(35, JsonFields.read(folder.resolve("config.json")), "vocab_size")));
            assertTrue(textOnly.getMessage().contains("config.json's 'vocab_size' is absent (default 35)"),
                    textOnly.getMessage());
        }
    }

    @Test
    void tokenizerWithoutImageTokenNamesTokenizerJson() throws IOException {
        Path folder = copy();
        edit(folder.resolve("tokenizer.json"), t -> {
            for (JsonElement added : t.getAsJsonArray("added_tokens")) {
                if (added.getAsJsonObject().get("content").getAsString().equals("<image>")) {
                    added.getAsJsonObject().addProperty("content", "<img>");
                }
            }
            JsonObject vocab = t.getAsJsonObject("model").getAsJsonObject("vocab");
            vocab.add("<img>", vocab.remove("<image>"));
        });
        ConfigException e = loadFails(folder);
        assertEquals(folder.resolve("tokenizer.json"), e.file());
        assertTrue(e.getMessage().contains("'<image>' is not a single token in it"), e.getMessage());
    }

    @Test
    void wrongImageTokenIndexNamesConfigFieldAndTokenizerId() throws IOException {
        Path folder = copy();
        edit(folder.resolve("config.json"), c -> c.addProperty("image_token_index", 5));
        ConfigException e = loadFails(folder);
        assertEquals(folder.resolve("config.json"), e.file());
        assertEquals("image_token_index", e.field());
        assertTrue(e.getMessage().contains("field 'image_token_index': is 5, but"), e.getMessage());
        assertTrue(e.getMessage().contains("gives <image> the id 4"), e.getMessage());

        edit(folder.resolve("config.json"), c -> {
            c.remove("image_token_index");
            c.addProperty("image_token_id", 6);
        });
        e = loadFails(folder);
        assertEquals("image_token_id", e.field());
        assertTrue(e.getMessage().contains("is 6, but"), e.getMessage());
    }

    @Test
    void questionTypingTheImagePlaceholderIsRefused() throws IOException {
        try (var m = ModelLoader.load(TINY, Device.cpu())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> m.processor().encode("is <image> a circle?", 1));
            assertTrue(e.getMessage().startsWith("your question contains the image placeholder text <image>"),
                    e.getMessage());
            // The normal question still encodes.
            assertEquals(27, m.processor().encode("what color is the circle?", 1).length);
        }
    }
}
