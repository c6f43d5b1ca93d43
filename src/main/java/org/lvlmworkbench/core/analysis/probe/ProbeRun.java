package org.lvlmworkbench.core.analysis.probe;

/**
 * The outcome of running one probe item: the full token table (prompt and generated tokens), the
 * answer text and, when the item has an expected answer, whether it matches (as {@code eval}
 * compares: trimmed, case-insensitive, trailing punctuation ignored).
 */
public record ProbeRun(ProbeItem item, TokenTable table, long[] generatedIds, long[] expectedIds, String answer,
        Boolean correct) {
}
