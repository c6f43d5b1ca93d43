package org.lvlmworkbench.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import org.lvlmworkbench.core.processing.ChatMessage;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * A family's counterpart of HF's {@code AutoProcessor}: renders a user turn through the chat
 * template, tokenizes it with transformers' rules for special tokens, expands image placeholders to
 * as many positions as each image gives features, and turns images into the tower's input tensor.
 */
public interface Processor {

    /** The prompt text the model sees for one user turn with {@code images} images, before expansion. */
    String render(String question, int images);

    /** Token ids of one user turn plus the generation prompt, image placeholders expanded. */
    long[] encode(String question, int images);

    /**
     * Token ids of a whole conversation, as a user passes it to transformers'
     * {@code apply_chat_template(..., add_generation_prompt=True, tokenize=True)}: the content of
     * each turn is a plain string or a list of parts, as given; {@code images} is the number of
     * image parts, whose placeholders are expanded.
     */
    long[] encode(List<ChatMessage> conversation, int images);

    /** Whether this processor takes images at all. */
    boolean acceptsImages();

    /** The tower's input for these images, allocated in {@code manager}; refuses when no images are taken. */
    NDArray pixelValues(List<RgbImage> images, NDManager manager);

    /** Positions each image occupies after expansion, in order. */
    int[] tokensPerImage(List<RgbImage> images);

    /** The patch grid of {@code image}'s tokens and the image as the tower sees it; refused for text-only models. */
    default PatchGrid patchGrid(RgbImage image) {
        throw new UnsupportedOperationException("this model takes no images");
    }
}
