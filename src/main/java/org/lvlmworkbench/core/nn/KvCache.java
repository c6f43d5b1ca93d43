package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.lvlmworkbench.core.memory.Lifetimes;

/**
 * Keys and values of past positions, one pair per decoder layer, shaped
 * {@code [batch, kvHeads, positions, headDim]}. Owned by its own manager so a generation step's
 * scratch tensors can be freed while the cache lives on.
 *
 * <p>Two counts, which differ once visual-token pruning has run: {@link #length(int)} is how many
 * positions one layer holds (layers at and after a pruning stage hold fewer), and {@link #position()}
 * is the rotary position of the next token, the number of positions the sequence has really had
 * (a pruned prompt of 600 tokens continues at 600 however few of them the later layers keep).
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private long position;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** The rotary position of the next token: how many positions the sequence has had so far. */
    public long position() {
        return position;
    }

    /**
     * Sets the next token's position once a pass has run (the decoder calls this with the last
     * input position + 1). Positions never go back.
     */
    public void advanceTo(long next) {
        if (next < position) {
            throw new IllegalArgumentException("the cache is at position " + position + "; it cannot go back to "
                    + next);
        }
        position = next;
    }

    /** Positions {@code layer} holds: its keys' length, fewer than {@link #position()} after pruning. */
    public long length(int layer) {
        return keys[layer] == null ? 0 : keys[layer].getShape().get(2);
    }

    /**
     * The next token's position, as before pruning existed.
     *
     * @deprecated ambiguous once pruning shortens some layers: use {@link #position()} for the next
     *             rotary position, {@link #length(int)} for what a layer holds
     */
    @Deprecated
    public long length() {
        return position;
    }

    /**
     * Appends this step's keys and values for {@code layer} and returns the full sequences. The
     * position is advanced separately ({@link #advanceTo}), as pruned layers append fewer rows.
     */
    public NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray fullK = keys[layer] == null ? k : keys[layer].concat(k, 2);
        NDArray fullV = values[layer] == null ? v : values[layer].concat(v, 2);
        keep(layer, fullK, fullV);
        return new NDArray[] {fullK, fullV};
    }

    private void keep(int layer, NDArray k, NDArray v) {
        if (keys[layer] != null && keys[layer] != k) {
            keys[layer].close();
            values[layer].close();
        }
        Lifetimes.keep(manager, k, v);
        keys[layer] = k;
        values[layer] = v;
    }

    public int layers() {
        return keys.length;
    }

    @Override
    public void close() {
        manager.close();
    }
}
