package org.lvlmworkbench.core.analysis.probe;

/**
 * One forward pass of a probe run: pass 0 is the prefill over positions {@code [0, T)}; pass
 * {@code k ≥ 1} feeds generated token {@code k−1} at position {@code T+k−1}. The last position a
 * pass covers predicts generated token {@code k}.
 *
 * @param index the pass number, which is also the step of the token it predicts
 * @param from  first position covered
 * @param to    one past the last position covered
 */
public record Pass(int index, int from, int to) {

    public boolean isPrefill() {
        return index == 0;
    }

    public int length() {
        return to - from;
    }

    /** The position whose output predicts this pass's token. */
    public int predictingPosition() {
        return to - 1;
    }
}
