package org.lvlmworkbench.core.compress.lowrank;

/**
 * What {@link RankAllocator} knows of one matrix: its place, its shape and its factorisation's
 * curves (no weights: allocation never factorises).
 *
 * @param name           the weight's checkpoint key, unique in a set
 * @param component      {@code text}, {@code vision} or {@code projector}
 * @param layer          block index within the component (-1 for the projector)
 * @param role           {@code q k v o gate up down}, {@code fc1 fc2} or {@code linear_1 linear_2}
 * @param rows           {@code m}
 * @param cols           {@code n}
 * @param singularValues the factorisation's {@link Factorization#singularValues()}, {@code min(m, n)}, descending
 * @param predictedLoss  the factorisation's {@link Factorization#predictedLoss()}, {@code min(m, n) + 1}
 * @param sensitivity    its layer's sensitivity for the {@code dip} allocation (DipSVD: summed
 *                       {@code ‖∇W‖_F/‖W‖_F} of the block), the same for every matrix of a layer; NaN
 *                       when not measured
 */
public record MatrixProfile(String name, String component, int layer, String role, int rows, int cols,
        double[] singularValues, double[] predictedLoss, double sensitivity) {

    public MatrixProfile {
        if (rows < 1 || cols < 1) {
            throw new IllegalArgumentException(name + ": shape " + rows + "×" + cols + " is empty");
        }
        int r = Math.min(rows, cols);
        if (singularValues.length != r) {
            throw new IllegalArgumentException(name + ": " + singularValues.length + " singular values for a " + rows
                    + "×" + cols + " matrix");
        }
        if (predictedLoss.length != r + 1) {
            throw new IllegalArgumentException(name + ": predicted loss has " + predictedLoss.length
                    + " entries, a " + rows + "×" + cols + " matrix needs " + (r + 1));
        }
        for (double v : singularValues) {
            if (!(v >= 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException(name + ": singular value " + v + " is not finite and >= 0");
            }
        }
        for (double v : predictedLoss) {
            if (!(v >= 0 && Double.isFinite(v))) {
                throw new IllegalArgumentException(name + ": predicted loss " + v + " is not finite and >= 0");
            }
        }
        if (!Double.isNaN(sensitivity) && !(sensitivity >= 0 && Double.isFinite(sensitivity))) {
            throw new IllegalArgumentException(name + ": sensitivity " + sensitivity + " must be finite and >= 0");
        }
    }

    /** The profile of {@code f}'s matrix, without a sensitivity. */
    public static MatrixProfile of(String name, String component, int layer, String role, Factorization f) {
        return new MatrixProfile(name, component, layer, role, f.rows(), f.cols(), f.singularValues(),
                f.predictedLoss(), Double.NaN);
    }

    public MatrixProfile withSensitivity(double s) {
        return new MatrixProfile(name, component, layer, role, rows, cols, singularValues, predictedLoss, s);
    }

    public boolean hasSensitivity() {
        return !Double.isNaN(sensitivity);
    }

    public long denseParameters() {
        return (long) rows * cols;
    }

    /** Parameters one more rank costs, {@code m + n}. */
    public int rankCost() {
        return rows + cols;
    }

    /** The largest rank whose factors are fewer numbers than the matrix, {@code ⌊(mn − 1)/(m + n)⌋}. */
    public int breakEvenRank() {
        return (int) ((denseParameters() - 1) / rankCost());
    }
}
