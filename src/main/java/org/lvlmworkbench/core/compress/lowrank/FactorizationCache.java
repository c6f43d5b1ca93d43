package org.lvlmworkbench.core.compress.lowrank;

import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;

/**
 * Factorisations kept for re-slicing, least recently used first out, bounded by
 * {@link Factorization#bytes()}: a rank slider asks for the same key again and gets the held object
 * back, never a second factorisation. Concurrent requests for one key share a single computation.
 * A factorisation larger than the whole bound is handed back but not kept.
 */
public final class FactorizationCache {

    /**
     * What identifies a factorisation.
     *
     * @param matrix      the weight's name (checkpoint key)
     * @param method      the method
     * @param settings    the method's settings, {@link LowRankOptions#describe}
     * @param calibration identifies the calibration data (e.g. the probe set's fingerprint); the same
     *                    string must mean the same statistics
     */
    public record Key(String matrix, LowRankMethod method, String settings, String calibration) {

        public Key {
            Objects.requireNonNull(matrix, "matrix");
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(settings, "settings");
            Objects.requireNonNull(calibration, "calibration");
        }

        public static Key of(String matrix, LowRankMethod method, LowRankOptions options, String calibration) {
            return new Key(matrix, method, options.describe(method), calibration);
        }
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, Factorization> held = new LinkedHashMap<>(16, 0.75f, true);
    private final Map<Key, FutureTask<Factorization>> inFlight = new HashMap<>();
    private long bytes;
    private long computed;

    public FactorizationCache(long maxBytes) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("cache bound " + maxBytes + " bytes must be positive");
        }
        this.maxBytes = maxBytes;
    }

    /** The held factorisation of {@code key}, or {@code compute}'s, which is then held. */
    public Factorization get(Key key, Supplier<Factorization> compute) {
        FutureTask<Factorization> task;
        boolean owner = false;
        synchronized (this) {
            Factorization hit = held.get(key);
            if (hit != null) {
                return hit;
            }
            task = inFlight.get(key);
            if (task == null) {
                task = new FutureTask<>(compute::get);
                inFlight.put(key, task);
                owner = true;
            }
        }
        if (owner) {
            task.run();
        }
        try {
            Factorization f = task.get();
            if (owner) {
                synchronized (this) {
                    computed++;
                    inFlight.remove(key);
                    put(key, f);
                }
            }
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the factorisation of " + key.matrix(), e);
        } catch (ExecutionException e) {
            if (owner) {
                synchronized (this) {
                    inFlight.remove(key);
                }
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** {@link LowRankFactorizer#factorize} through the cache. */
    public Factorization factorize(String matrix, LowRankMethod method, float[] w, int m, int n,
            CalibrationStats stats, String calibration, LowRankOptions options) {
        return get(Key.of(matrix, method, options, calibration),
                () -> LowRankFactorizer.factorize(method, w, m, n, stats, options));
    }

    /** The held factorisation of {@code key}, without computing one; null when none is held. */
    public synchronized Factorization peek(Key key) {
        return held.get(key);
    }

    private void put(Key key, Factorization f) {
        long size = f.bytes();
        if (size > maxBytes) {
            return;
        }
        Factorization old = held.put(key, f);
        if (old != null) {
            bytes -= old.bytes();
        }
        bytes += size;
        Iterator<Map.Entry<Key, Factorization>> eldest = held.entrySet().iterator();
        while (bytes > maxBytes && eldest.hasNext()) {
            Map.Entry<Key, Factorization> e = eldest.next();
            if (e.getKey().equals(key)) {
                continue;
            }
            bytes -= e.getValue().bytes();
            eldest.remove();
        }
    }

    /** Drops everything held. */
    public synchronized void clear() {
        held.clear();
        bytes = 0;
    }

    public synchronized long bytes() {
        return bytes;
    }

    public long maxBytes() {
        return maxBytes;
    }

    public synchronized int size() {
        return held.size();
    }

    /** Factorisations computed through this cache so far (misses). */
    public synchronized long computed() {
        return computed;
    }
}
