package org.lvlmworkbench.testing;

import java.util.function.Supplier;

/** Runs code with a system property set, and restores what was there (or its absence) afterwards. */
public final class SystemProperties {

    private SystemProperties() {
    }

    public static <T> T with(String key, String value, Supplier<T> body) {
        String previous = System.setProperty(key, value);
        try {
            return body.get();
        } finally {
            if (previous == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, previous);
            }
        }
    }

    public static void with(String key, String value, Runnable body) {
        with(key, value, () -> {
            body.run();
            return null;
        });
    }
}
