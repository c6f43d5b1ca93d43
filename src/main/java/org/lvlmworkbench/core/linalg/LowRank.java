package org.lvlmworkbench.core.linalg;

/**
 * A rank-{@code k} matrix kept as two factors, {@code left·right}: what a low-rank compression
 * stores instead of the {@code rows × cols} matrix ({@code k·(rows + cols)} numbers).
 *
 * @param left  row-major {@code rows × rank}
 * @param right row-major {@code rank × cols}
 */
public record LowRank(int rows, int cols, int rank, double[] left, double[] right) {

    public LowRank {
        if (rank < 0) {
            throw new IllegalArgumentException("rank " + rank + " is negative");
        }
        if ((long) rows * rank != left.length || (long) rank * cols != right.length) {
            throw new IllegalArgumentException("factors " + left.length + " and " + right.length + " values do not fit "
                    + rows + "×" + rank + " and " + rank + "×" + cols);
        }
    }

    /** The product {@code left·right}, row-major {@code rows × cols}. */
    public double[] dense() {
        if (rank == 0) {
            return new double[rows * cols];
        }
        return Matrices.multiply(left, rows, rank, right, cols);
    }
}
