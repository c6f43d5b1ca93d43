package org.lvlmworkbench.core.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.lvlmworkbench.core.memory.Lifetimes;

/**
 * Keys and values of past positions, one pair per decoder layer, shaped
 * {@code [batch, kvHeads, positions, headDim]}. Owned by its own manager so a generation step's
 * scratch tensors can be freed while the cache lives on.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private long length;

    public KvCache(NDManager parent, int layers) {
        this.manager = parent.newSubManager();
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
    }

    /** Positions already cached; the next token's position. */
    public long length() {
        return length;
    }

    /**
     * Appends this step's keys and values for {@code layer} and returns the full sequences.
     * The length advances once the last layer has appended.
     */
    public NDArray[] append(int layer, NDArray k, NDArray v) {
        NDArray fullK = keys[layer] == null ? k : keys[layer].concat(k, 2);
        NDArray fullV = values[layer] == null ? v : values[layer].concat(v, 2);
        keep(layer, fullK, fullV);
        if (layer == keys.length - 1) {
            length = fullK.getShape().get(2);
        }
        return new NDArray[] {fullK, fullV};
    }

    /**
     * Sets the cached length once a step's layers have all run: a layer whose attention was removed
     * by compression appends nothing, so the last layer need not be the one that advances it.
     */
    public void advanceTo(long newLength) {
        length = newLength;
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
