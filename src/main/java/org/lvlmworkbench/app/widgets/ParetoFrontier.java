package org.lvlmworkbench.app.widgets;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The Pareto frontier of points where less x (cost: parameters, FLOPs) and more y (quality:
 * accuracy) are better. Pure arithmetic, tested without a display.
 */
public final class ParetoFrontier {

    private ParetoFrontier() {
    }

    /**
     * Indices of the points no other point dominates (another point dominates one when its x is no
     * larger and its y no smaller, and one of them strictly), ordered by x ascending; of exactly equal
     * points the first one listed stands for the rest. Points with a non-finite coordinate are left out.
     */
    public static int[] of(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException(x.length + " x values but " + y.length + " y values");
        }
        List<Integer> order = new ArrayList<>(IntStream.range(0, x.length)
                .filter(i -> Double.isFinite(x[i]) && Double.isFinite(y[i])).boxed().toList());
        // Cheapest first; at equal cost the best first, so that it alone is kept.
        order.sort(Comparator.<Integer>comparingDouble(i -> x[i]).thenComparing(i -> -y[i])
                .thenComparingInt(i -> i));
        List<Integer> frontier = new ArrayList<>();
        double best = Double.NEGATIVE_INFINITY;
        for (int i : order) {
            if (y[i] > best) {
                frontier.add(i);
                best = y[i];
            }
        }
        return frontier.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Whether point {@code i} is on the frontier {@link #of} gives. */
    public static boolean contains(int[] frontier, int i) {
        for (int f : frontier) {
            if (f == i) {
                return true;
            }
        }
        return false;
    }
}
