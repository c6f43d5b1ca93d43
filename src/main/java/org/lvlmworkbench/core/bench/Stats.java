package org.lvlmworkbench.core.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.OptionalDouble;

/** Summary statistics of repeated measurements. */
public final class Stats {

    private Stats() {
    }

    /**
     * The median of the finite values (the mean of the middle two for an even count), or empty when
     * there are none: a failed run's missing figure is left out, not counted as zero.
     */
    public static OptionalDouble median(Collection<Double> values) {
        List<Double> v = new ArrayList<>();
        for (Double d : values) {
            if (d != null && Double.isFinite(d)) {
                v.add(d);
            }
        }
        if (v.isEmpty()) {
            return OptionalDouble.empty();
        }
        Collections.sort(v);
        int n = v.size();
        return OptionalDouble.of(n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2);
    }
}
