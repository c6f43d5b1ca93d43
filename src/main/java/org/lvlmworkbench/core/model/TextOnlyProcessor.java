package org.lvlmworkbench.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.processing.ChatMessage;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.processing.TextTokenizer;
import org.lvlmworkbench.core.processing.TextTokenizer.ChatEncoding;
import org.lvlmworkbench.core.processing.TextTokenizer.VocabLimit;

/**
 * The processor of a text-only model: HF's {@code tokenizer.apply_chat_template}, or the bare
 * question when the folder has no template (base models often lack one).
 *
 * <p>A text-only model's {@code AutoProcessor} is its tokenizer, and users pass it text-only turns
 * as {@code {"role": "user", "content": "..."}}: the template sees {@code message['content']} as a
 * plain string (ChatML and Llama-3 templates concatenate it), and the rendered chat is encoded with
 * {@code add_special_tokens=False} (the template emits any BOS itself). Without a template the
 * question is encoded as {@code tokenizer(question)} does, special tokens included.
 */
public final class TextOnlyProcessor implements Processor {

    private final Path folder;
    private final TextTokenizer tokenizer;
    private final ChatTemplate template;
    private final VocabLimit vocab;

    /** Without the model's vocabulary size: no id checks (prefer {@link #forModel}). */
    public TextOnlyProcessor(Path folder, TextTokenizer tokenizer, ChatTemplate template) {
        this(folder, tokenizer, template, null);
    }

    /**
     * Checks at once that every id the tokenizer can produce has a row in the model's embedding
     * table ({@code vocab}, null to skip), and guards each encoding the same way.
     */
    public TextOnlyProcessor(Path folder, TextTokenizer tokenizer, ChatTemplate template, VocabLimit vocab) {
        this.folder = folder;
        this.tokenizer = tokenizer;
        this.template = template;
        this.vocab = vocab;
        if (vocab != null) {
            tokenizer.checkFits(vocab);
        }
    }

    /** The processor a family's {@code processor(...)} returns for a text-only model, vocabulary checked. */
    public static TextOnlyProcessor forModel(Path folder, JsonFields config, LanguageModel model,
            TextTokenizer tokenizer, ChatTemplate template) {
        return new TextOnlyProcessor(folder, tokenizer, template,
                VocabLimit.of(model.decoder().vocabSize(), config, "vocab_size"));
    }

    @Override
    public String render(String question, int images) {
        refuseImages(images);
        return template == null ? question : template.render(List.of(ChatMessage.user(question)), true);
    }

    @Override
    public long[] encode(List<ChatMessage> conversation, int images) {
        refuseImages(images);
        if (template == null) {
            throw new IllegalArgumentException(folder + " has no chat template, so it cannot render a conversation;"
                    + " ask a single question instead");
        }
        return encodeRendered(template.render(conversation, true));
    }

    @Override
    public long[] encode(String question, int images) {
        return encodeRendered(render(question, images));
    }

    private long[] encodeRendered(String rendered) {
        long[] ids = template == null ? tokenizer.encode(rendered, true)
                : tokenizer.encodeRenderedChat(rendered, template.specialToken("bos_token"), ChatEncoding.TOKENIZER);
        if (vocab != null) {
            tokenizer.checkIds(ids, vocab);
        }
        return ids;
    }

    @Override
    public boolean acceptsImages() {
        return false;
    }

    @Override
    public NDArray pixelValues(List<RgbImage> images, NDManager manager) {
        refuseImages(images.size());
        return null;
    }

    @Override
    public int[] tokensPerImage(List<RgbImage> images) {
        refuseImages(images.size());
        return new int[0];
    }

    private void refuseImages(int images) {
        if (images > 0) {
            throw new IllegalArgumentException(folder + " is a text-only model; it takes no image");
        }
    }
}
