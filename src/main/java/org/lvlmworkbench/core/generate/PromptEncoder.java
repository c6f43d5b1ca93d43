package org.lvlmworkbench.core.generate;

import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.model.LoadedModel;
import org.lvlmworkbench.core.processing.ChatMessage;

/**
 * Turns a user's question into token ids the way HF's LLaVA processor does: the chat template
 * renders the turn with one {@code <image>} per image, the tokenizer encodes it with its special
 * tokens, and each image token is expanded to as many positions as the image has features.
 */
public final class PromptEncoder {

    public static final String IMAGE_TOKEN = "<image>";

    private PromptEncoder() {
    }

    /** The prompt text the model sees (before image expansion). */
    public static String render(LoadedModel model, String question, int images) {
        if (model.chatTemplate() != null) {
            return model.chatTemplate().render(List.of(ChatMessage.user(question, images)), true);
        }
        return (IMAGE_TOKEN + "\n").repeat(images) + question;
    }

    public static long[] encode(LoadedModel model, String question, int images) {
        if (images > 0 && !model.acceptsImages()) {
            throw new IllegalArgumentException(model.folder() + " is a text-only model; it takes no image");
        }
        String text = render(model, question, images);
        long[] ids = model.tokenizer().encode(text, true);
        return images > 0 ? expandImageTokens(ids, model.model().imageTokenId(), model.model().tokensPerImage(), images)
                : ids;
    }

    static long[] expandImageTokens(long[] ids, long imageToken, int perImage, int images) {
        List<Long> out = new ArrayList<>();
        int found = 0;
        for (long id : ids) {
            if (id == imageToken) {
                found++;
                for (int i = 0; i < perImage; i++) {
                    out.add(id);
                }
            } else {
                out.add(id);
            }
        }
        if (found != images) {
            throw new IllegalArgumentException("the rendered prompt holds " + found + " image token(s) for " + images
                    + " image(s); check that the chat template emits " + IMAGE_TOKEN);
        }
        return out.stream().mapToLong(Long::longValue).toArray();
    }
}
