package org.lvlmworkbench.core.arch.llava;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.model.TextOnlyProcessor;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.TextTokenizer;
import org.lvlmworkbench.core.processing.TextTokenizer.ChatEncoding;
import org.lvlmworkbench.core.sample.LlavaFolderWriter;

/**
 * How a rendered chat becomes token ids, against transformers 5.18 on the checked-in tiny LLaVA's
 * tokenizer (word level, BOS {@code <s>} = 1 added by its post-processor). Expected ids were printed by
 * transformers: {@code tokenizer.apply_chat_template(..., tokenize=True)} for the text-only processor and
 * {@code processor.apply_chat_template(..., tokenize=True, return_dict=True)} for LLaVA.
 */
class PromptEncodingTest {

    private static final Path TINY = Path.of("src/test/resources/hf-reference/tiny-llava");
    private static final Path ORIGIN = Path.of("chat_template.jinja");
    private static final Map<String, Object> SPECIALS = Map.of("bos_token", "<s>", "eos_token", "</s>");
    /** A Llama-3-style template: it emits {@code bos_token} itself and reads content as a string. */
    private static final String BOS_TEMPLATE = "{{ bos_token }}{% for message in messages %}"
            + "{{ message['role'] + ': ' + message['content'] + ' ' }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ 'assistant:' }}{% endif %}";
    private static final String QUESTION = "what color is the circle?";
    private static final long[] IMAGE_16 = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};

    private static TextTokenizer tokenizer;

    @BeforeAll
    static void open() {
        tokenizer = TextTokenizer.load(TINY);
    }

    @AfterAll
    static void close() {
        tokenizer.close();
    }

    private static LlavaProcessor llava(ChatTemplate template) {
        return new LlavaProcessor(tokenizer, template, null, 4, 16);
    }

    private static long[] concat(long[]... parts) {
        return java.util.Arrays.stream(parts).flatMapToLong(java.util.Arrays::stream).toArray();
    }

    @Test
    void templateThatEmitsBosGivesOneBos() {
        // Text-only: tokenizer.apply_chat_template(tokenize=True) encodes with add_special_tokens=False.
        TextOnlyProcessor text = new TextOnlyProcessor(TINY, tokenizer, ChatTemplate.of(BOS_TEMPLATE, ORIGIN, SPECIALS));
        assertEquals("<s>user: what color is the circle? assistant:", text.render(QUESTION, 0));
        assertArrayEquals(new long[] {1, 5, 7, 10, 11, 12, 13, 15, 8, 6, 7}, text.encode(QUESTION, 0));
        // ... and without BOS in the template, transformers' tokenizer adds none either.
        TextOnlyProcessor noBos = new TextOnlyProcessor(TINY, tokenizer,
                ChatTemplate.of(BOS_TEMPLATE.substring("{{ bos_token }}".length()), ORIGIN, SPECIALS));
        assertArrayEquals(new long[] {5, 7, 10, 11, 12, 13, 15, 8, 6, 7}, noBos.encode(QUESTION, 0));

        // LLaVA: ProcessorMixin.apply_chat_template adds special tokens unless the prompt starts with bos_token.
        long[] hf = concat(new long[] {1, 5, 7}, IMAGE_16, new long[] {10, 11, 12, 13, 15, 8, 6, 7});
        assertArrayEquals(hf, llava(ChatTemplate.of(LlavaFolderWriter.LLAVA_15_TEMPLATE, ORIGIN, SPECIALS))
                .encode(QUESTION, 1), "llava-1.5's template emits no BOS: the processor adds it");
        assertArrayEquals(hf, llava(ChatTemplate.of("{{ bos_token }}" + LlavaFolderWriter.LLAVA_15_TEMPLATE, ORIGIN,
                SPECIALS)).encode(QUESTION, 1), "a template that emits BOS gets no second one");

        assertFalse(TextTokenizer.addsSpecialTokens("<s>x", "<s>", ChatEncoding.PROCESSOR));
        assertTrue(TextTokenizer.addsSpecialTokens("x<s>", "<s>", ChatEncoding.PROCESSOR));
        assertTrue(TextTokenizer.addsSpecialTokens("<s>x", null, ChatEncoding.PROCESSOR));
        assertFalse(TextTokenizer.addsSpecialTokens("x", "<s>", ChatEncoding.TOKENIZER));
    }

    @Test
    void textOnlyProcessorPassesAStringAndLlavaPassesParts() {
        ChatTemplate chatml = ChatTemplate.load(Path.of("src/test/resources/chat/qwen2"));
        TextOnlyProcessor text = new TextOnlyProcessor(TINY, tokenizer, chatml);
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n" + QUESTION
                + "<|im_end|>\n<|im_start|>assistant\n", text.render(QUESTION, 0));
        ChatTemplate llava15 = ChatTemplate.of(LlavaFolderWriter.LLAVA_15_TEMPLATE, ORIGIN, SPECIALS);
        assertEquals("USER: <image>\n" + QUESTION + " ASSISTANT:", llava(llava15).render(QUESTION, 1));
    }

    @Test
    void questionContainingTheImagePlaceholderIsRefused() {
        LlavaProcessor p = llava(ChatTemplate.of(LlavaFolderWriter.LLAVA_15_TEMPLATE, ORIGIN, SPECIALS));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> p.encode("what is <image> here?", 1));
        assertTrue(e.getMessage().contains("your question contains the image placeholder text <image>"), e.getMessage());
        assertTrue(e.getMessage().contains("reserves"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> p.render("<image>", 0));
        assertThrows(IllegalArgumentException.class, () -> llava(null).encode("a <image> b", 0));
    }
}
