package org.lvlmworkbench.core.compress.lowrank;

import java.util.List;
import java.util.PriorityQueue;

/**
 * The exact-budget step every allocation ends with: from a first guess of ranks, take rank steps
 * away (cheapest loss first) until the kept parameters are within the budget, then add the steps
 * that still fit (best value per parameter first) until none does.
 *
 * <p>A matrix's states are ranks {@code 0 .. kb} ({@code kb} its break-even rank, stored factored
 * at {@code k·(m + n)}) and {@link RankAllocation#DENSE} ({@code m·n}). Its next state is
 * {@code k + 1}, or dense after {@code kb}; every step costs at most {@code m + n} (the last one
 * {@code mn − kb·(m + n) ≤ m + n}). So when the fill stops, every matrix not dense has a next step
 * costing more than the slack left, which is thus below the largest {@code m + n}: the kept
 * parameters end {@code ≤ budget} and {@code > budget − max(m + n)}, unless every matrix is dense
 * (then they are all the parameters, within the budget).
 *
 * <p>A step's value is the drop of a per-matrix curve {@code c[k]} (non-increasing, {@code c = 0}
 * when dense): predicted loss, or tail energy, as the allocation chooses.
 *
 * <p>A rule that searched one common quantity to the budget (uniform's keep fraction, energy's
 * threshold) lets the fill add at most one step per matrix, so that its rule still holds up to
 * rounding. The guarantee above still stands: such a guess is the largest within the budget, so had
 * every matrix room for one more step a slightly larger quantity would have fitted; where repeated
 * (zero) singular values break that argument and the slack is still a step or more, an unlimited
 * fill follows.
 */
final class BudgetFit {

    private BudgetFit() {
    }

    static long cost(MatrixProfile p, int state) {
        return state == RankAllocation.DENSE ? p.denseParameters() : (long) state * p.rankCost();
    }

    /** The state a rank guess lands in: {@code k} if it saves parameters, else dense. */
    static int state(MatrixProfile p, long rank) {
        return rank > p.breakEvenRank() ? RankAllocation.DENSE : (int) Math.max(rank, 0);
    }

    static long kept(List<MatrixProfile> ms, int[] states) {
        long sum = 0;
        for (int i = 0; i < states.length; i++) {
            sum += cost(ms.get(i), states[i]);
        }
        return sum;
    }

    private static final int NONE = -2;

    private static int next(MatrixProfile p, int state) {
        if (state == RankAllocation.DENSE) {
            return NONE;
        }
        return state + 1 <= p.breakEvenRank() ? state + 1 : RankAllocation.DENSE;
    }

    private static int prev(MatrixProfile p, int state) {
        if (state == RankAllocation.DENSE) {
            return p.breakEvenRank();
        }
        return state > 0 ? state - 1 : NONE;
    }

    private static double value(double[] curve, int state) {
        return state == RankAllocation.DENSE ? 0 : curve[state];
    }

    /** Curve drop per parameter of the step {@code from → to}. */
    private static double gain(MatrixProfile p, double[] curve, int from, int to) {
        return (value(curve, from) - value(curve, to)) / (double) (cost(p, to) - cost(p, from));
    }

    private record Step(double gain, int matrix, int from, int to) {
    }

    /**
     * Moves {@code states} (changed in place) to within one rank step under {@code budget}.
     *
     * @param curves      per matrix, {@code c[0..min(m, n)]}, the value lost at each rank
     * @param oneStepOnly whether the fill may add at most one step to each matrix
     */
    static int[] fit(List<MatrixProfile> ms, double[][] curves, int[] states, long budget, boolean oneStepOnly) {
        long kept = kept(ms, states);
        if (kept > budget) {
            // Cheapest loss per parameter first; ties to the later matrix, so the order given wins.
            PriorityQueue<Step> removals = new PriorityQueue<>((a, b) -> a.gain != b.gain
                    ? Double.compare(a.gain, b.gain) : Integer.compare(b.matrix, a.matrix));
            for (int i = 0; i < states.length; i++) {
                offerRemoval(removals, ms.get(i), curves[i], i, states[i]);
            }
            while (kept > budget) {
                Step s = removals.poll(); // never empty: at all-zero ranks nothing is kept
                states[s.matrix] = s.to;
                kept -= cost(ms.get(s.matrix), s.from) - cost(ms.get(s.matrix), s.to);
                offerRemoval(removals, ms.get(s.matrix), curves[s.matrix], s.matrix, s.to);
            }
        }
        kept = fill(ms, curves, states, budget, kept, oneStepOnly);
        long step = 0;
        for (MatrixProfile p : ms) {
            step = Math.max(step, p.rankCost());
        }
        if (oneStepOnly && budget - kept >= step) {
            // Only where singular values repeat (zeros): the guess was not the largest that fitted.
            fill(ms, curves, states, budget, kept, false);
        }
        return states;
    }

    private static long fill(List<MatrixProfile> ms, double[][] curves, int[] states, long budget, long kept,
            boolean oneStepOnly) {
        PriorityQueue<Step> additions = new PriorityQueue<>((a, b) -> a.gain != b.gain
                ? Double.compare(b.gain, a.gain) : Integer.compare(a.matrix, b.matrix));
        for (int i = 0; i < states.length; i++) {
            offerAddition(additions, ms.get(i), curves[i], i, states[i]);
        }
        while (!additions.isEmpty()) {
            Step s = additions.poll();
            MatrixProfile p = ms.get(s.matrix);
            long extra = cost(p, s.to) - cost(p, s.from);
            if (extra > budget - kept) {
                continue; // the slack only shrinks: this matrix is done
            }
            states[s.matrix] = s.to;
            kept += extra;
            if (!oneStepOnly) {
                offerAddition(additions, p, curves[s.matrix], s.matrix, s.to);
            }
        }
        return kept;
    }

    private static void offerRemoval(PriorityQueue<Step> q, MatrixProfile p, double[] curve, int i, int state) {
        int to = prev(p, state);
        if (to != NONE) {
            q.add(new Step(gain(p, curve, to, state), i, state, to));
        }
    }

    private static void offerAddition(PriorityQueue<Step> q, MatrixProfile p, double[] curve, int i, int state) {
        int to = next(p, state);
        if (to != NONE) {
            q.add(new Step(gain(p, curve, state, to), i, state, to));
        }
    }
}
