package org.lvlmworkbench.core.eval;

import java.nio.file.Path;

/** One evaluation question: an image file (or none), the prompt, the expected answer and a type. */
public record EvalItem(Path image, String prompt, String answer, String type) {
}
