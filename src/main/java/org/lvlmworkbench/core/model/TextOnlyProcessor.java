package org.lvlmworkbench.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.List;
import org.lvlmworkbench.core.processing.ChatMessage;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.processing.TextTokenizer;

/**
 * The processor of a text-only model: HF's {@code tokenizer.apply_chat_template}, or the bare
 * question when the folder has no template (base models often lack one).
 */
public final class TextOnlyProcessor implements Processor {

    private final Path folder;
    private final TextTokenizer tokenizer;
    private final ChatTemplate template;

    public TextOnlyProcessor(Path folder, TextTokenizer tokenizer, ChatTemplate template) {
        this.folder = folder;
        this.tokenizer = tokenizer;
        this.template = template;
    }

    @Override
    public String render(String question, int images) {
        refuseImages(images);
        return template == null ? question : template.render(List.of(ChatMessage.user(question, 0)), true);
    }

    @Override
    public long[] encode(String question, int images) {
        return tokenizer.encode(render(question, images), true);
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
