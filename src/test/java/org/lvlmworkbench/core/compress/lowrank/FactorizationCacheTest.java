package org.lvlmworkbench.core.compress.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The cache factorises a key once however often it is re-sliced, and evicts the least recently used by bytes. */
class FactorizationCacheTest {

    private static final int M = 20;
    private static final int N = 30;

    private static final Random RANDOM = new Random(6);
    private static final float[] W = new float[M * N];
    private static final CalibrationStats STATS;

    static {
        for (int i = 0; i < W.length; i++) {
            W[i] = (float) RANDOM.nextGaussian();
        }
        double[] x = new double[100 * N];
        for (int i = 0; i < x.length; i++) {
            x[i] = RANDOM.nextGaussian() * (1 + i % N);
        }
        STATS = CalibrationStats.of(x, 100, N);
    }

    private static Supplier<Factorization> counting(AtomicInteger count, LowRankMethod method) {
        return () -> {
            count.incrementAndGet();
            return LowRankFactorizer.factorize(method, W, M, N, STATS, LowRankOptions.DEFAULTS);
        };
    }

    @Test
    void reslicingNeverFactorisesAgain() {
        FactorizationCache cache = new FactorizationCache(1L << 30);
        AtomicInteger count = new AtomicInteger();
        FactorizationCache.Key key = FactorizationCache.Key.of("w", LowRankMethod.SVD_LLM, LowRankOptions.DEFAULTS,
                "probe-abc");
        Factorization first = cache.get(key, counting(count, LowRankMethod.SVD_LLM));
        for (int k = 0; k <= M; k++) {
            Factorization again = cache.get(key, counting(count, LowRankMethod.SVD_LLM));
            assertSame(first, again);
            assertEquals(k, again.truncate(k).rank());
        }
        assertEquals(1, count.get(), "one factorisation for every rank");
        assertEquals(1, cache.computed());
        // The options a method ignores do not split its key; those it reads do.
        assertEquals(FactorizationCache.Key.of("w", LowRankMethod.PLAIN, LowRankOptions.DEFAULTS, "c"),
                FactorizationCache.Key.of("w", LowRankMethod.PLAIN, LowRankOptions.DEFAULTS.withAsvdAlpha(1), "c"));
        assertNotEquals(FactorizationCache.Key.of("w", LowRankMethod.ASVD, LowRankOptions.DEFAULTS, "c"),
                FactorizationCache.Key.of("w", LowRankMethod.ASVD, LowRankOptions.DEFAULTS.withAsvdAlpha(1), "c"));
        assertNotEquals(key, FactorizationCache.Key.of("w", LowRankMethod.SVD_LLM, LowRankOptions.DEFAULTS, "other"));
        Factorization viaFactorize = cache.factorize("w", LowRankMethod.SVD_LLM, W, M, N, STATS, "probe-abc",
                LowRankOptions.DEFAULTS);
        assertSame(first, viaFactorize);
    }

    @Test
    void evictsTheLeastRecentlyUsedByBytes() {
        long one = LowRankFactorizer.factorize(LowRankMethod.PLAIN, W, M, N, STATS, LowRankOptions.DEFAULTS).bytes();
        FactorizationCache cache = new FactorizationCache(2 * one + one / 2); // room for two
        AtomicInteger count = new AtomicInteger();
        FactorizationCache.Key a = FactorizationCache.Key.of("a", LowRankMethod.PLAIN, LowRankOptions.DEFAULTS, "c");
        FactorizationCache.Key b = FactorizationCache.Key.of("b", LowRankMethod.PLAIN, LowRankOptions.DEFAULTS, "c");
        FactorizationCache.Key c = FactorizationCache.Key.of("c", LowRankMethod.PLAIN, LowRankOptions.DEFAULTS, "c");
        cache.get(a, counting(count, LowRankMethod.PLAIN));
        cache.get(b, counting(count, LowRankMethod.PLAIN));
        cache.get(a, counting(count, LowRankMethod.PLAIN)); // a is now the most recent
        cache.get(c, counting(count, LowRankMethod.PLAIN)); // over the bound: b goes
        assertEquals(3, count.get());
        assertEquals(2, cache.size());
        assertTrue(cache.bytes() <= cache.maxBytes(), cache.bytes() + " bytes held");
        assertNotNull(cache.peek(a));
        assertNull(cache.peek(b), "the least recently used went");
        assertNotNull(cache.peek(c));
        cache.get(b, counting(count, LowRankMethod.PLAIN));
        assertEquals(4, count.get(), "an evicted key is factorised again");
        // One larger than the whole bound is returned but not kept.
        FactorizationCache tiny = new FactorizationCache(one / 2);
        assertNotNull(tiny.get(a, counting(count, LowRankMethod.PLAIN)));
        assertEquals(0, tiny.size());
        assertEquals(0, tiny.bytes());
    }

    @Test
    void concurrentRequestsShareOneFactorisationAndFailuresAreNotKept() throws Exception {
        FactorizationCache cache = new FactorizationCache(1L << 30);
        AtomicInteger count = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        FactorizationCache.Key key = FactorizationCache.Key.of("w", LowRankMethod.ASVD, LowRankOptions.DEFAULTS, "c");
        Supplier<Factorization> slow = () -> {
            count.incrementAndGet();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return LowRankFactorizer.factorize(LowRankMethod.ASVD, W, M, N, STATS, LowRankOptions.DEFAULTS);
        };
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Future<Factorization> f1 = pool.submit(() -> cache.get(key, slow));
            Future<Factorization> f2 = pool.submit(() -> cache.get(key, slow));
            Future<Factorization> f3 = pool.submit(() -> cache.get(key, slow));
            Thread.sleep(200);
            release.countDown();
            assertSame(f1.get(10, TimeUnit.SECONDS), f2.get(10, TimeUnit.SECONDS));
            assertSame(f1.get(), f3.get(10, TimeUnit.SECONDS));
            assertEquals(1, count.get());
        } finally {
            pool.shutdownNow();
        }
        FactorizationCache.Key bad = FactorizationCache.Key.of("bad", LowRankMethod.PLAIN, LowRankOptions.DEFAULTS, "c");
        assertThrows(IllegalArgumentException.class, () -> cache.get(bad, () -> {
            throw new IllegalArgumentException("no");
        }));
        assertNull(cache.peek(bad));
        assertNotNull(cache.get(bad, counting(count, LowRankMethod.PLAIN)), "a failure is not remembered");
    }
}
