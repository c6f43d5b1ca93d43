package org.lvlmworkbench.core.processing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.sample.LlavaFolderWriter;

class ChatTemplateTest {

    private static final Path ORIGIN = Path.of("chat_template.json");

    @Test
    void rendersTheLlava15TemplateAsTransformersDoes() {
        ChatTemplate t = ChatTemplate.of(LlavaFolderWriter.LLAVA_15_TEMPLATE, ORIGIN, Map.of());
        String out = t.render(List.of(ChatMessage.user("What is shown?", 1)), true);
        assertEquals("USER: <image>\nWhat is shown? ASSISTANT:", out);
        String turn = t.render(List.of(ChatMessage.user("Q", 1), ChatMessage.assistant("A")), false);
        assertEquals("USER: <image>\nQ ASSISTANT: A ", turn);
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
