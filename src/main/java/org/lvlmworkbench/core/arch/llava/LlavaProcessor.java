package org.lvlmworkbench.core.arch.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.lvlmworkbench.core.model.Processor;
import org.lvlmworkbench.core.processing.ChatMessage;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.ClipImageProcessor;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.processing.TextTokenizer;

/**
 * HF {@code LlavaProcessor}: the chat template renders the turn with one {@code <image>} per image,
 * the tokenizer encodes it, and each image token is expanded to as many positions as the image has
 * features ({@code tokensPerImage}, fixed for LLaVA-1.5).
 */
public final class LlavaProcessor implements Processor {

    public static final String IMAGE_TOKEN = "<image>";

    private final TextTokenizer tokenizer;
    private final ChatTemplate template;
    private final ClipImageProcessor images;
    private final long imageTokenId;
    private final int tokensPerImage;

    public LlavaProcessor(TextTokenizer tokenizer, ChatTemplate template, ClipImageProcessor images,
            long imageTokenId, int tokensPerImage) {
        this.tokenizer = tokenizer;
        this.template = template;
        this.images = images;
        this.imageTokenId = imageTokenId;
        this.tokensPerImage = tokensPerImage;
    }

    @Override
    public String render(String question, int imageCount) {
        if (template != null) {
            return template.render(List.of(ChatMessage.user(question, imageCount)), true);
        }
        return (IMAGE_TOKEN + "\n").repeat(imageCount) + question;
    }

    @Override
    public long[] encode(String question, int imageCount) {
        long[] ids = tokenizer.encode(render(question, imageCount), true);
        return imageCount > 0 || contains(ids, imageTokenId) ? expandImageTokens(ids, imageCount) : ids;
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
                    + imageCount + " image(s); check that the chat template emits " + IMAGE_TOKEN);
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
