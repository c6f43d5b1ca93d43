package org.lvlmworkbench.core.compress.lowrank;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rank per matrix meeting a parameter budget.
 *
 * @param allocation      how it was found
 * @param ratio           the fraction of the set's parameters to remove
 * @param totalParameters {@code Σ m·n} of the set
 * @param budget          {@code ⌊(1 − ratio)·Σ m·n⌋}, the most parameters kept
 * @param keptParameters  parameters kept: {@code ≤ budget} and {@code > budget − step}
 * @param step            the largest {@code m + n} of the set: one rank step
 * @param searched        the allocation's searched quantity before the exact fit: the keep fraction
 *                        {@code ρ} (uniform), the energy threshold (energy), the water level {@code t}
 *                        of {@code k = t·eRank} (erank); NaN for loss and dip
 * @param matrices        one entry per matrix, in the order given
 */
public record RankAllocation(Allocation allocation, double ratio, long totalParameters, long budget,
        long keptParameters, long step, double searched, List<Entry> matrices) {

    /** A rank meaning: keep the matrix dense (no rank saves parameters, or the budget affords it whole). */
    public static final int DENSE = -1;

    /**
     * @param name          the matrix
     * @param rank          its rank, or {@link #DENSE}
     * @param parameters    {@code rank·(m + n)}, or {@code m·n} when dense
     * @param predictedLoss its factorisation's predicted calibration loss at that rank (0 when dense)
     */
    public record Entry(String name, int rank, long parameters, double predictedLoss) {

        public boolean dense() {
            return rank == DENSE;
        }
    }

    public RankAllocation {
        matrices = List.copyOf(matrices);
    }

    /** Name → rank ({@link #DENSE} for a dense matrix), in the order given. */
    public Map<String, Integer> ranks() {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Entry e : matrices) {
            out.put(e.name(), e.rank());
        }
        return out;
    }

    /** The summed predicted calibration loss of every matrix at its rank. */
    public double predictedLoss() {
        double sum = 0;
        for (Entry e : matrices) {
            sum += e.predictedLoss();
        }
        return sum;
    }
}
