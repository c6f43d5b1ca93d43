package org.lvlmworkbench.core.compress.lowrank;

import org.lvlmworkbench.core.linalg.LowRank;

/**
 * One weight {@code W [m, n]} factorised once by a {@link LowRankMethod}, ready to be cut to any
 * rank without recomputation: {@code W·T = U·Σ·Vᵀ} is held as {@code U [m, r]}, {@code σ [r]} and
 * the rows {@code r_i = v_iᵀ·T⁻¹} of {@code R [r, n]} ({@code r = min(m, n)}, {@code T⁻¹} the
 * pseudo-inverse where {@code T} is singular), so that
 * <pre>W_k = Σ_{i≤k} σ_i·u_i·r_i = U_k·Σ_k·R_k</pre>
 * and {@link #predictedLoss(int)} is that truncation's output error on the calibration tokens,
 * {@code ‖(W − W_k)·Xᵀ‖²_F}, for every {@code k} (derivation in {@link LowRankFactorizer}).
 *
 * <p>Reading a rank's loss or parameter count is O(1); {@link #truncate(int)} copies
 * {@code k·(m + n)} numbers. Instances are immutable and safe to share between threads.
 */
public final class Factorization {

    private final LowRankMethod method;
    private final String settings;
    private final int rows;
    private final int cols;
    private final double[] sigma;
    private final double[] u;
    private final double[] right;
    private final double[] loss;
    private final String route;
    private final int transformRank;

    Factorization(LowRankMethod method, String settings, int rows, int cols, double[] sigma, double[] u,
            double[] right, double[] loss, String route, int transformRank) {
        int r = Math.min(rows, cols);
        if (sigma.length != r || u.length != (long) rows * r || right.length != (long) r * cols
                || loss.length != r + 1) {
            throw new IllegalArgumentException("inconsistent factors for a " + rows + "×" + cols + " matrix");
        }
        this.method = method;
        this.settings = settings;
        this.rows = rows;
        this.cols = cols;
        this.sigma = sigma;
        this.u = u;
        this.right = right;
        this.loss = loss;
        this.route = route;
        this.transformRank = transformRank;
    }

    public LowRankMethod method() {
        return method;
    }

    /** The settings that shaped it, as {@link LowRankOptions#describe} gives them. */
    public String settings() {
        return settings;
    }

    /** {@code m}, output features. */
    public int rows() {
        return rows;
    }

    /** {@code n}, input features. */
    public int cols() {
        return cols;
    }

    /** {@code min(m, n)}: the largest rank {@link #truncate} accepts. */
    public int maxRank() {
        return sigma.length;
    }

    /**
     * How {@code T} was formed: {@code identity} (plain), {@code diagonal} (ASVD), {@code cholesky} or
     * {@code eigen} (SVD-LLM; V2 is always {@code eigen}), {@code weighted-eigen} (DipSVD).
     */
    public String route() {
        return route;
    }

    /** The rank of {@code T}: {@code n} unless the Gram was singular on an eigen route. */
    public int transformRank() {
        return transformRank;
    }

    /** The singular values of the matrix truncated, {@code W·T}, descending (a copy). */
    public double[] singularValues() {
        return sigma.clone();
    }

    /** The {@code i}-th singular value of {@code W·T}, 0-based. */
    public double singularValue(int i) {
        return sigma[i];
    }

    /**
     * {@code loss[k] = ‖(W − W_k)·Xᵀ‖²_F} on the calibration tokens for {@code k = 0..min(m, n)}
     * (a copy): {@code loss[0] = ‖W·Xᵀ‖²_F}, non-increasing, the last entry 0.
     */
    public double[] predictedLoss() {
        return loss.clone();
    }

    /** Entry {@code k} of {@link #predictedLoss()}, in O(1). */
    public double predictedLoss(int k) {
        checkRank(k);
        return loss[k];
    }

    /** Numbers stored for rank {@code k} in factored form, {@code k·(m + n)}. */
    public long parameters(int k) {
        checkRank(k);
        return (long) k * (rows + cols);
    }

    /** Numbers of the dense matrix, {@code m·n}. */
    public long denseParameters() {
        return (long) rows * cols;
    }

    /** The largest rank whose factors are fewer numbers than the dense matrix: {@code ⌊(mn − 1)/(m + n)⌋}. */
    public int breakEvenRank() {
        return (int) (((long) rows * cols - 1) / (rows + cols));
    }

    /**
     * The rank-{@code k} truncation as two factors with {@code W_k = left·right}; the singular values
     * are split evenly, {@code left = U_k·√Σ_k [m, k]}, {@code right = √Σ_k·R_k [k, n]}, as SVD-LLM's
     * and ASVD's exports store them ({@code u_proj}, {@code v_proj}).
     */
    public LowRank truncate(int k) {
        checkRank(k);
        int r = sigma.length;
        double[] left = new double[rows * k];
        double[] rightK = new double[k * cols];
        for (int j = 0; j < k; j++) {
            double root = Math.sqrt(sigma[j]);
            for (int c = 0; c < cols; c++) {
                rightK[j * cols + c] = root * right[j * cols + c];
            }
            for (int i = 0; i < rows; i++) {
                left[i * k + j] = u[i * r + j] * root;
            }
        }
        return new LowRank(rows, cols, k, left, rightK);
    }

    /**
     * This factorisation with its components re-ordered and re-scaled (SoCo): component {@code j} of the
     * result is component {@code order[j]} of this one with its singular value multiplied by
     * {@code scales[order[j]]} (a negative scale's sign goes into {@code u}, so the stored values stay
     * {@code ≥ 0}). With {@code c_i} the loss weight of component {@code i} here
     * ({@code σ_i²·r_i·G·r_iᵀ = loss[i] − loss[i+1]}), the result's loss at rank {@code k} is
     * <pre>Σ_{j<k} (1 − s_{o_j})²·c_{o_j} + Σ_{j≥k} c_{o_j}</pre>
     * exactly: {@code W − W_k = Σ_i d_i·σ_i·u_i·r_i} on the data with {@code d = 1 − s} for the kept
     * components and 1 for the others, and {@code U}'s columns being orthonormal the cross terms vanish
     * (as in {@link LowRankFactorizer}). The curve need not fall with {@code k}, nor the values descend.
     */
    Factorization reordered(LowRankMethod newMethod, String newSettings, int[] order, double[] scales) {
        int r = sigma.length;
        if (order.length != r || scales.length != r) {
            throw new IllegalArgumentException("an order and scales of " + r + " components are needed, got "
                    + order.length + " and " + scales.length);
        }
        boolean[] seen = new boolean[r];
        for (int o : order) {
            if (o < 0 || o >= r || seen[o]) {
                throw new IllegalArgumentException("the order is not a permutation of 0.." + (r - 1));
            }
            seen[o] = true;
        }
        double[] s2 = new double[r];
        double[] u2 = new double[u.length];
        double[] right2 = new double[right.length];
        double[] weight = new double[r];
        for (int j = 0; j < r; j++) {
            int o = order[j];
            double scale = scales[o];
            if (!Double.isFinite(scale)) {
                throw new IllegalArgumentException("scale " + scale + " of component " + o + " is not finite");
            }
            s2[j] = sigma[o] * Math.abs(scale);
            double sign = scale < 0 ? -1 : 1;
            for (int i = 0; i < rows; i++) {
                u2[i * r + j] = sign * u[i * r + o];
            }
            System.arraycopy(right, o * cols, right2, j * cols, cols);
            weight[j] = Math.max(0, loss[o] - loss[o + 1]);
        }
        double[] loss2 = new double[r + 1];
        double tail = 0;
        double[] tails = new double[r + 1];
        for (int j = r - 1; j >= 0; j--) {
            tail += weight[j];
            tails[j] = tail;
        }
        double head = 0;
        for (int k = 0; k <= r; k++) {
            loss2[k] = head + tails[k];
            if (k < r) {
                double d = 1 - scales[order[k]];
                head += d * d * weight[k];
            }
        }
        return new Factorization(newMethod, newSettings, rows, cols, s2, u2, right2, loss2, route, transformRank);
    }

    /** The memory it holds, in bytes (for the cache's bound). */
    public long bytes() {
        return 8L * ((long) u.length + right.length + sigma.length + loss.length) + 256;
    }

    private void checkRank(int k) {
        if (k < 0 || k > sigma.length) {
            throw new IllegalArgumentException("rank " + k + " is outside 0.." + sigma.length + " for a " + rows + "×"
                    + cols + " matrix");
        }
    }

    @Override
    public String toString() {
        return "Factorization[" + settings + ", " + rows + "×" + cols + ", " + route + "]";
    }
}
