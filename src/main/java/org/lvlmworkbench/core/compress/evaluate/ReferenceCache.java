package org.lvlmworkbench.core.compress.evaluate;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.lvlmworkbench.core.eval.EvalItem;

/**
 * The reference model's side of evaluated items, so that evaluating another plan runs only the
 * candidate: its answer, its measured times and operations, and the logits of its first answer token.
 * Keyed by the reference's {@code ModelFingerprint}, the evaluation file, the item's index and the answer
 * length limit; an entry whose item no longer matches the file's (the file was edited) is not used.
 *
 * <p>Memory: one {@code float[vocab]} per item plus a few hundred bytes, e.g. 128 KiB per item for a
 * 32 000-token vocabulary (77 MiB for 600 items), 176 bytes for the sample's 44 tokens; {@link #bytes()}
 * tells, {@link #clear()} frees. The fingerprint reads the checkpoint's headers, not its weights: a reference
 * whose weights were changed in memory or in place must not share a cache with the original.
 *
 * <p>Thread-safe.
 */
public final class ReferenceCache {

    /** Where an entry belongs. */
    public record Key(String modelFingerprint, String evalFile, int index, int maxNewTokens) {
    }

    /** The reference's side of one item. */
    public record Entry(EvalItem item, AnswerRun run, float[] firstLogits) {
    }

    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong stored = new AtomicLong();

    /** The entry for {@code key} if it was made for this very {@code item}, else null. */
    public Entry get(Key key, EvalItem item) {
        Entry e = entries.get(key);
        return e != null && e.item().equals(item) ? e : null;
    }

    public void put(Key key, Entry entry) {
        entries.put(key, entry);
        stored.incrementAndGet();
    }

    public int size() {
        return entries.size();
    }

    /** How many reference runs were stored since this cache was made: one per reference generation. */
    public long referenceRuns() {
        return stored.get();
    }

    /** The logits held, in bytes (the rest is small). */
    public long bytes() {
        long n = 0;
        for (Entry e : entries.values()) {
            n += 4L * e.firstLogits().length;
        }
        return n;
    }

    public void clear() {
        entries.clear();
    }
}
