package org.lvlmworkbench.core.arch.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lvlmworkbench.core.model.PatchGrid;
import org.lvlmworkbench.core.model.Processor;
import org.lvlmworkbench.core.processing.ChatMessage;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.ClipImageProcessor;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.processing.TextTokenizer;
import org.lvlmworkbench.core.processing.TextTokenizer.ChatEncoding;
import org.lvlmworkbench.core.processing.TextTokenizer.VocabLimit;

/**
 * HF {@code LlavaProcessor}: the chat template renders the turn with one {@code <image>} per image,
 * the tokenizer encodes it, and each image token is expanded to as many positions as the image has
 * features ({@code tokensPerImage}, fixed for LLaVA-1.5).
 *
 * <p>The user turn reaches the template in the parts form
 * ({@code [{"type": "image"}, ..., {"type": "text", "text": question}]}), as users of
 * {@code processor.apply_chat_template} pass multimodal turns (transformers hands the content to the
 * template unchanged). The rendered prompt is encoded with {@code ProcessorMixin.apply_chat_template}'s
 * rule for special tokens ({@link ChatEncoding#PROCESSOR}).
 */
public final class LlavaProcessor implements Processor {

    public static final String IMAGE_TOKEN = "<image>";

    private final TextTokenizer tokenizer;
    private final ChatTemplate template;
    private final ClipImageProcessor images;
    private final long imageTokenId;
    private final int tokensPerImage;
    private final VocabLimit vocab;

    public LlavaProcessor(TextTokenizer tokenizer, ChatTemplate template, ClipImageProcessor images,
            long imageTokenId, int tokensPerImage) {
        this(tokenizer, template, images, imageTokenId, tokensPerImage, null);
    }

    /** {@code vocab}: the model's embedding table, checked against every encoding (null to skip). */
    public LlavaProcessor(TextTokenizer tokenizer, ChatTemplate template, ClipImageProcessor images,
            long imageTokenId, int tokensPerImage, VocabLimit vocab) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.images = images;
        this.imageTokenId = imageTokenId;
        this.tokensPerImage = tokensPerImage;
        this.vocab = vocab;
    }

    @Override
    public String render(String question, int imageCount) {
        refusePlaceholder(question);
        if (template != null) {
            return template.render(List.of(ChatMessage.user(question, imageCount)), true);
        }
        return (IMAGE_TOKEN + "\n").repeat(imageCount) + question;
    }

    @Override
    public long[] encode(String question, int imageCount) {
        String rendered = render(question, imageCount);
        if (contains(tokenizer.encode(question, false), imageTokenId)) {
            throw placeholderInQuestion();
        }
        return encodeRendered(rendered, imageCount);
    }

    @Override
    public long[] encode(List<ChatMessage> conversation, int imageCount) {
        if (template == null) {
            throw new IllegalArgumentException("this model has no chat template, so it cannot render a conversation;"
                    + " ask a single question instead");
        }
        for (ChatMessage m : conversation) {
            String text = m.text() != null ? m.text()
                    : m.parts().stream().filter(p -> p.text() != null).map(ChatMessage.Part::text)
                            .reduce("", String::concat);
            refusePlaceholder(text);
            if (contains(tokenizer.encode(text, false), imageTokenId)) {
                throw placeholderInQuestion();
            }
        }
        return encodeRendered(template.render(conversation, true), imageCount);
    }

    private long[] encodeRendered(String rendered, int imageCount) {
        // Without a template the prompt goes straight to processor(text=...), which adds special tokens.
        long[] ids = template == null ? tokenizer.encode(rendered, true)
                : tokenizer.encodeRenderedChat(rendered, template.specialToken("bos_token"), ChatEncoding.PROCESSOR);
        if (vocab != null) {
            tokenizer.checkIds(ids, vocab);
        }
        return imageCount > 0 || contains(ids, imageTokenId) ? expandImageTokens(ids, imageCount) : ids;
    }

    /**
     * A question that itself contains {@code <image>} would be read as one more image slot (HF
     * fails later with "Image features and image tokens do not match"); it is refused, never
     * silently stripped, since the user's text would change.
     */
    private static void refusePlaceholder(String question) {
        if (question.contains(IMAGE_TOKEN)) {
            throw placeholderInQuestion();
        }
    }

    private static IllegalArgumentException placeholderInQuestion() {
        return new IllegalArgumentException("your question contains the image placeholder text " + IMAGE_TOKEN
                + ", which the model reserves to mark where an image goes; reword the question without it"
                + " (attach images as images, not as text)");
    }

    @Override
    public boolean acceptsImages() {
        return true;
    }

    @Override
    public NDArray pixelValues(List<RgbImage> list, NDManager manager) {
        return images.toPixelValues(list, manager);
    }

    @Override
    public int[] tokensPerImage(List<RgbImage> list) {
        int[] out = new int[list.size()];
        Arrays.fill(out, tokensPerImage);
        return out;
    }

    @Override
    public PatchGrid patchGrid(RgbImage image) {
        RgbImage processed = images.resizedAndCropped(image);
        // Patches tile the processed image; with the 'full' strategy the class token comes first.
        int side = (int) Math.round(Math.sqrt(tokensPerImage));
        boolean classToken = side * side != tokensPerImage;
        if (classToken) {
            side = (int) Math.round(Math.sqrt(tokensPerImage - 1));
        }
        if (side * side + (classToken ? 1 : 0) != tokensPerImage) {
            throw new IllegalStateException(tokensPerImage + " tokens per image are not a square patch grid");
        }
        return new PatchGrid(side, side, classToken, processed);
    }

    public ClipImageProcessor imageProcessor() {
        return images;
    }

    long[] expandImageTokens(long[] ids, int imageCount) {
        List<Long> out = new ArrayList<>();
        int found = 0;
        for (long id : ids) {
            if (id == imageTokenId) {
                found++;
                for (int i = 0; i < tokensPerImage; i++) {
                    out.add(id);
                }
            } else {
                out.add(id);
            }
        }
        if (found != imageCount) {
            throw new IllegalArgumentException("the rendered prompt holds " + found + " image token(s) for "
                    + imageCount + " image(s); check that the chat template"
                    + (template == null ? "" : " (" + template.origin() + ")") + " emits one " + IMAGE_TOKEN
                    + " per image part");
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static boolean contains(long[] ids, long id) {
        for (long x : ids) {
            if (x == id) {
                return true;
            }
        }
        return false;
    }
}
