package org.lvlmworkbench.core.processing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.sample.LlavaFolderWriter;

class ChatTemplateTest {

    private static final Path ORIGIN = Path.of("chat_template.json");

    @Test
    void rendersTheLlava15TemplateAsTransformersDoes() {
        ChatTemplate t = ChatTemplate.of(LlavaFolderWriter.LLAVA_15_TEMPLATE, ORIGIN, Map.of());
        String out = t.render(List.of(ChatMessage.user("What is shown?", 1)), true);
        assertEquals("USER: <image>\nWhat is shown? ASSISTANT:", out);
        String turn = t.render(List.of(ChatMessage.user("Q", 1), ChatMessage.assistantParts("A")), false);
        assertEquals("USER: <image>\nQ ASSISTANT: A ", turn);
    }

    /** Qwen2-Instruct's ChatML template, verbatim in src/test/resources/chat/qwen2/tokenizer_config.json. */
    private static final Path QWEN2 = Path.of("src/test/resources/chat/qwen2");
    /** Meta-Llama-3-Instruct's template, verbatim in src/test/resources/chat/llama3/tokenizer_config.json. */
    private static final Path LLAMA3 = Path.of("src/test/resources/chat/llama3");

    // Expected texts are transformers 5.18's tokenizer.apply_chat_template(messages, tokenize=False,
    // add_generation_prompt=True) on the same tokenizer_config.json files, with string contents.
    private static final List<ChatMessage> CONVERSATION = List.of(ChatMessage.system("you are helpful ."),
            ChatMessage.user("hello"), ChatMessage.assistant("world"), ChatMessage.user("what ?"));

    @Test
    void textOnlyTemplatesSeeContentAsAPlainString() {
        ChatTemplate qwen = ChatTemplate.load(QWEN2);
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
                + "  what is the world ?  <|im_end|>\n<|im_start|>assistant\n",
                qwen.render(List.of(ChatMessage.user("  what is the world ?  ")), true));
        assertEquals("<|im_start|>system\nyou are helpful .<|im_end|>\n<|im_start|>user\nhello<|im_end|>\n"
                + "<|im_start|>assistant\nworld<|im_end|>\n<|im_start|>user\nwhat ?<|im_end|>\n<|im_start|>assistant\n",
                qwen.render(CONVERSATION, true));

        ChatTemplate llama = ChatTemplate.load(LLAMA3);
        assertEquals("<|begin_of_text|>", llama.specialToken("bos_token"));
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nwhat is the world ?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                llama.render(List.of(ChatMessage.user("  what is the world ?  ")), true));
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nyou are helpful .<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nhello<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nworld<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nwhat ?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", llama.render(CONVERSATION, true));
    }

    @Test
    void bosTokenObjectWithoutContentNamesFileAndField(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": {\"__type\": \"AddedToken\", \"lstrip\": false}, \"chat_template\": \"x\"}");
        ConfigException e = assertThrows(ConfigException.class, () -> ChatTemplate.find(dir));
        assertEquals(dir.resolve("tokenizer_config.json"), e.file());
        assertEquals("bos_token.content", e.field());
        assertTrue(e.getMessage().endsWith("tokenizer_config.json: field 'bos_token.content': is missing"), e.getMessage());

        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": {\"content\": \"<s>\"}, \"chat_template\": [{\"name\": \"default\", "
                        + "\"template\": \"{{ bos_token }}\"}, {\"template\": \"tool\"}]}");
        e = assertThrows(ConfigException.class, () -> ChatTemplate.find(dir));
        assertEquals("chat_template[1].name", e.field());
        assertTrue(e.getMessage().endsWith("tokenizer_config.json: field 'chat_template[1].name': is missing"),
                e.getMessage());

        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"chat_template\": [{\"name\": \"default\"}]}");
        e = assertThrows(ConfigException.class, () -> ChatTemplate.find(dir));
        assertEquals("chat_template[0].template", e.field());

        Files.writeString(dir.resolve("tokenizer_config.json"),
                "{\"bos_token\": {\"content\": \"<s>\"}, \"chat_template\": [{\"name\": \"tool_use\", "
                        + "\"template\": \"t\"}, {\"name\": \"default\", \"template\": \"{{ bos_token }}!\"}]}");
        ChatTemplate t = ChatTemplate.find(dir).orElseThrow();
        assertEquals("<s>!", t.render(List.of(ChatMessage.user("x")), false));
    }

    @Test
    void specialTokensAreBound() {
        ChatTemplate t = ChatTemplate.of("{{ bos_token }}{{ messages[0]['content'][0]['text'] }}", ORIGIN,
                Map.of("bos_token", "<s>"));
        assertEquals("<s>hi", t.render(List.of(ChatMessage.user("hi", 0)), false));
    }

    @Test
    void raiseExceptionFailsTheRender() {
        ChatTemplate t = ChatTemplate.of("{{ raise_exception('roles must alternate') }}", ORIGIN, Map.of());
        ConfigException e = assertThrows(ConfigException.class, () -> t.render(List.of(), true));
        assertTrue(e.getMessage().contains("roles must alternate"), e.getMessage());
        assertEquals(ORIGIN, e.file());
    }

    @Test
    void errorsJinjavaWouldSwallowFailTheRender() {
        ChatTemplate unknownFilter = ChatTemplate.of("{{ messages | no_such_filter }}", ORIGIN, Map.of());
        assertThrows(ConfigException.class, () -> unknownFilter.render(List.of(), true));
        ChatTemplate badSyntax = ChatTemplate.of("{% for m in messages %}{{ m }}", ORIGIN, Map.of());
        assertThrows(ConfigException.class, () -> badSyntax.render(List.of(), true));
        ChatTemplate unknownTag = ChatTemplate.of("{% frobnicate %}", ORIGIN, Map.of());
        assertThrows(ConfigException.class, () -> unknownTag.render(List.of(), true));
    }
}
