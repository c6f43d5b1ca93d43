package org.lvlmworkbench.core.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * How many threads the engine's own operations use, chosen per pass by its size.
 *
 * <p>A decoding step is a few hundred tiny engine operations between matrix-vector products that
 * this project's kernels run on all cores. With two engine threads, the engine's idle OpenMP thread
 * spins after each operation and takes a core from those kernels: measured on the 1.1B shape on two
 * cores, BF16 decoding ran at 4.6 tokens/s with two engine threads and 6.4 with one. A prefill is
 * dominated by the engine's GEMMs, which want every core. So a pass of at most
 * {@link MappedLinear#MATVEC_ROWS} rows runs the engine on one thread, a larger one on all of them.
 *
 * <p>The engine keeps the setting per calling thread (OpenMP's per-thread state), so the last value
 * set is remembered per thread. {@code -Dai.djl.pytorch.num_threads} (DJL's own setting) turns the
 * switching off and is respected as given.
 */
public final class EngineThreads {

    private static final boolean FIXED = System.getProperty("ai.djl.pytorch.num_threads") != null
            || "off".equals(System.getProperty("lvlm.engineThreads"));
    private static final int ALL = Runtime.getRuntime().availableProcessors();
    private static final ThreadLocal<int[]> CURRENT = ThreadLocal.withInitial(() -> new int[] {-1});

    private EngineThreads() {
    }

    /** Sets the engine's threads for a pass over {@code rows} positions (batch × new tokens). */
    public static void forRows(long rows) {
        if (FIXED) {
            return;
        }
        int wanted = rows <= MappedLinear.MATVEC_ROWS ? 1 : ALL;
        int[] current = CURRENT.get();
        if (current[0] != wanted) {
            JniUtils.setNumThreads(wanted);
            current[0] = wanted;
        }
    }
}
