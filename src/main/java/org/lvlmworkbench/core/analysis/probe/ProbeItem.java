package org.lvlmworkbench.core.analysis.probe;

import java.nio.file.Path;

/**
 * One input an analysis runs on: a prompt, an optional image and, when known, the expected answer
 * (from an evaluation file) whose tokens the views follow through the layers.
 *
 * @param id       stable within its probe set (the evaluation line number, the image file name...)
 * @param image    an image file, or null for a text-only prompt
 * @param expected the expected answer, or null when the user only typed a question
 * @param type     the evaluation's question type, or null
 */
public record ProbeItem(String id, Path image, String prompt, String expected, String type) {

    public ProbeItem {
        if (id == null || id.isBlank()) {
            throw new IllegalArgumentException("a probe item needs an id");
        }
        if (prompt == null || prompt.isBlank()) {
            throw new IllegalArgumentException("probe item " + id + " has no prompt");
        }
    }
}
