package org.lvlmworkbench.core.analysis.probe;

import ai.djl.ndarray.NDArray;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * A probe item ready to run: its prompt's token ids (image placeholders expanded), its pixel values
 * (in the caller's manager, or null), the decoded image, the token table of the prompt and the
 * expected answer's token ids (empty when none is known).
 */
public record EncodedProbe(ProbeItem item, long[] promptIds, NDArray pixelValues, RgbImage image, TokenTable table,
        long[] expectedIds) {
}
