package org.lvlmworkbench.core.compress.lowrank;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * SoCo's selection: which singular components survive a parameter budget, by learned score
 * {@code |s_i|} rather than by {@code σ} order. Components are taken in descending {@code |s|} over all
 * matrices (ties: the larger {@code σ}, i.e. the lower index, then the earlier matrix); a matrix of
 * {@code m×n} pays {@code m + n} per component. Every matrix keeps at least its best component (a map is
 * never removed by factorisation) and at most its break-even rank {@code ⌊(mn − 1)/(m + n)⌋} (SoCo's
 * scores change the matrix, so it is never kept dense; beyond that rank factors would cost more than the
 * matrix). A component that does not fit the slack is skipped, and so are its matrix's later ones, which
 * cost the same; smaller matrices may still fill the rest. So the kept parameters end {@code ≤ budget}
 * and, unless every matrix reaches its break-even rank, more than {@code budget − max(m + n)}.
 */
public final class SocoSelection {

    /**
     * One matrix's scores.
     *
     * @param scores the learned score of each of its {@code min(m, n)} components, in {@code σ} order
     */
    public record Matrix(String name, int rows, int cols, double[] scores) {

        public Matrix {
            if (scores.length != Math.min(rows, cols)) {
                throw new IllegalArgumentException(name + ": " + scores.length + " scores for a " + rows + "×" + cols
                        + " matrix");
            }
        }

        int cost() {
            return rows + cols;
        }

        int breakEvenRank() {
            return (int) (((long) rows * cols - 1) / (rows + cols));
        }

        /** Component indices by descending |score|, ties to the lower index (larger σ). */
        int[] order() {
            Integer[] idx = new Integer[scores.length];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = i;
            }
            Arrays.sort(idx, Comparator.comparingDouble((Integer i) -> -Math.abs(scores[i])).thenComparingInt(i -> i));
            return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
        }
    }

    /**
     * @param kept     per matrix, per component in {@code σ} order, whether it survives
     * @param ranks    per matrix, how many survive
     * @param budget   the most parameters kept
     * @param keptParameters {@code Σ rank·(m + n)}
     * @param step     the largest {@code m + n}
     */
    public record Result(List<boolean[]> kept, int[] ranks, long budget, long keptParameters, long step) {
    }

    private SocoSelection() {
    }

    /** The survivors of {@code matrices} under {@code budget} parameters. */
    public static Result select(List<Matrix> matrices, long budget) {
        int n = matrices.size();
        int[][] orders = new int[n][];
        int[] ranks = new int[n];
        List<boolean[]> kept = new ArrayList<>();
        long used = 0;
        long step = 0;
        for (int i = 0; i < n; i++) {
            Matrix m = matrices.get(i);
            orders[i] = m.order();
            kept.add(new boolean[m.scores().length]);
            step = Math.max(step, m.cost());
            if (m.breakEvenRank() < 1) {
                throw new IllegalArgumentException(m.name() + " (" + m.rows() + "×" + m.cols()
                        + ") saves nothing at rank 1: leave it out of the scope");
            }
            kept.get(i)[orders[i][0]] = true;
            ranks[i] = 1;
            used += m.cost();
        }
        if (used > budget) {
            throw new IllegalArgumentException("a budget of " + budget + " parameters cannot keep one component of each of "
                    + n + " matrices (" + used + "): remove less");
        }
        // Each matrix's next candidate, best |score| first; ties to the lower index, then the earlier matrix.
        PriorityQueue<int[]> next = new PriorityQueue<>((a, b) -> {
            double sa = Math.abs(matrices.get(a[0]).scores()[orders[a[0]][a[1]]]);
            double sb = Math.abs(matrices.get(b[0]).scores()[orders[b[0]][b[1]]]);
            if (sa != sb) {
                return Double.compare(sb, sa);
            }
            int ia = orders[a[0]][a[1]];
            int ib = orders[b[0]][b[1]];
            return ia != ib ? Integer.compare(ia, ib) : Integer.compare(a[0], b[0]);
        });
        for (int i = 0; i < n; i++) {
            if (orders[i].length > 1 && matrices.get(i).breakEvenRank() > 1) {
                next.add(new int[] {i, 1});
            }
        }
        while (!next.isEmpty()) {
            int[] c = next.poll();
            Matrix m = matrices.get(c[0]);
            if (m.cost() > budget - used) {
                continue; // the slack only shrinks: this matrix is done
            }
            kept.get(c[0])[orders[c[0]][c[1]]] = true;
            ranks[c[0]]++;
            used += m.cost();
            if (c[1] + 1 < orders[c[0]].length && ranks[c[0]] < m.breakEvenRank()) {
                next.add(new int[] {c[0], c[1] + 1});
            }
        }
        return new Result(kept, ranks, budget, used, step);
    }

    /** Active parameters: {@code Σ (m + n)·#{i : |s_i| > negligible}}. */
    public static long activeParameters(List<Matrix> matrices, double negligible) {
        long sum = 0;
        for (Matrix m : matrices) {
            for (double s : m.scores()) {
                if (Math.abs(s) > negligible) {
                    sum += m.cost();
                }
            }
        }
        return sum;
    }

    /**
     * The learned order of one matrix's components: the kept ones by descending |score| (ties to the lower
     * index), then the dropped ones in {@code σ} order.
     */
    public static int[] learnedOrder(double[] scores, boolean[] kept) {
        Integer[] idx = new Integer[scores.length];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, Comparator.comparingInt((Integer i) -> kept[i] ? 0 : 1)
                .thenComparingDouble(i -> kept[i] ? -Math.abs(scores[i]) : 0).thenComparingInt(i -> i));
        return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
    }

    /**
     * SoCo's factorisation of one matrix from its SVD-LLM factorisation {@code base} and learned scores:
     * the components in {@link #learnedOrder}, each kept one's singular value {@code σ_i·|s_i|} (its scale
     * folded into the factors), the dropped ones at 0; {@link Factorization#predictedLoss(int)} stays exact
     * (see {@link Factorization#reordered}).
     */
    public static Factorization factorization(Factorization base, double[] scores, boolean[] kept, String settings) {
        if (scores.length != base.maxRank() || kept.length != base.maxRank()) {
            throw new IllegalArgumentException(base + ": " + scores.length + " scores for " + base.maxRank() + " components");
        }
        double[] scales = new double[scores.length];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = kept[i] ? scores[i] : 0;
        }
        return base.reordered(LowRankMethod.SOCO, settings, learnedOrder(scores, kept), scales);
    }
}
