package org.lvlmworkbench.core.generate;

/** What a generation produced and how long it took. */
public record GenerationResult(long[] promptIds, long[] newIds, String text, long prefillNanos, long decodeNanos,
        StopReason stopReason) {

    public enum StopReason { END_OF_SEQUENCE, MAX_TOKENS }

    public double seconds() {
        return (prefillNanos + decodeNanos) / 1e9;
    }
}
