package org.lvlmworkbench.core.compress.lowrank;

import java.util.Arrays;
import java.util.Comparator;
import org.lvlmworkbench.core.linalg.Matrices;
import org.lvlmworkbench.core.linalg.Whitening;

/**
 * The five factorisations of a weight {@code W [m, n]} (row-major, {@code y = W·x}) given its
 * calibration statistics ({@code G = XᵀX}, {@code X [tokens, n]}). Every method has the same shape:
 * pick an input-side transform {@code T [n, n]}, take the thin SVD {@code W·T = U·Σ·Vᵀ}
 * ({@code r = min(m, n)} triplets), and truncate
 * <pre>W_k = U_k·Σ_k·V_kᵀ·T⁻¹ = Σ_{i≤k} σ_i·u_i·r_i,   r_i = v_iᵀ·T⁻¹ (a row),</pre>
 * with {@code T⁻¹} the pseudo-inverse {@code T⁺} where {@code T} is singular.
 *
 * <h2>The predicted loss of every method</h2>
 * For any {@code D [m, n]}, {@code ‖D·Xᵀ‖²_F = tr(D·G·Dᵀ)}. When {@code W = W·T·T⁻¹} on the data,
 * i.e. {@code T} is invertible, or {@code T⁺T}'s range contains {@code G}'s (true of the eigen
 * routes below, whose {@code T} spans exactly {@code G}'s range), then
 * {@code (W − W_k)} acts on the data as {@code Σ_{i>k} σ_i·u_i·r_i}, and
 * <pre>‖(W − W_k)·Xᵀ‖²_F = Σ_{i,j>k} σ_i·σ_j·(u_iᵀu_j)·(r_i·G·r_jᵀ) = Σ_{i>k} σ_i²·(r_i·G·r_iᵀ)</pre>
 * because {@code U}'s columns are orthonormal ({@code u_iᵀu_j = δ_ij}): the cross terms vanish.
 * So one product {@code R·G} ({@code R} stacking the rows {@code r_i}) gives the weights
 * {@code q_i = r_i·G·r_iᵀ} and the loss of every rank as a suffix sum, exactly. For SVD-LLM
 * ({@code T = S}, {@code S·Sᵀ = G}): {@code q_i = v_iᵀ·S⁻¹·S·Sᵀ·S⁻ᵀ·v_i = 1}, the paper's theorem
 * {@code loss(k) = Σ_{i>k} σ_i²}, used as such for {@code svd-llm} and {@code svd-llm-v2} (on the
 * eigen route {@code v_i} lies in {@code S}'s row space, so {@code S⁺S·v_i = v_i} and still
 * {@code q_i = 1}). Directions of {@code G} dropped by an eigen floor ({@code n·ε·λ_max}) are the
 * only, negligible, departure.
 *
 * <h2>The methods</h2>
 * <ul>
 * <li>{@code plain}: {@code T = I}.</li>
 * <li>{@code asvd}: {@code T = diag(s)}, {@code s_j = (mean|x_j|)^α}. A channel that is zero on every
 *     calibration token ({@code s_j = 0}) gets the smallest positive {@code s} of the others (1 if
 *     none), so {@code T} stays invertible; the channel carries no data, so its scale changes no
 *     loss.</li>
 * <li>{@code svd-llm}: {@code T = S} from {@link Whitening#of}: Cholesky, else the eigen route with
 *     {@code S⁺}.</li>
 * <li>{@code svd-llm-v2}: {@code T = U_s·√S_s} from {@link Whitening#eigen} whatever {@code G} is, so
 *     {@code W_k = U_ws·Trunc_k(S_ws)·V_wsᵀ·√S_s⁻¹·U_sᵀ} with zero eigenvalues dropped (pseudo-inverse):
 *     the same optimum as SVD-LLM, stable when {@code G} is singular.</li>
 * <li>{@code dipsvd}: channel importance {@code a_j = ‖G[:, j]‖₂}, the column norm of {@code G} as the
 *     reference code ({@code 920927/DipSVD dipsvd.py}) computes it; the paper writes
 *     {@code α_j = sqrt(x_jᵀ(XXᵀ)x_j)}. The top {@code ⌊n·p⌋} channels ({@code p} = 3 %) get weight
 *     {@code a} (30), the others 1: {@code D = diag(d)}, and the code's {@code G ⊙ weight} scales
 *     {@code G}'s columns, {@code G·D}. Then, as the code, the SVD {@code G·D = U_g·Σ_g·V_gᵀ} and
 *     {@code T = U_g·√Σ_g} (values at or below {@code n·ε·σ_max} dropped, pseudo-inverse), so
 *     {@code T·Tᵀ = (G·D²·G)^{1/2}}, which is {@code G} when {@code D = I}; then SVD-LLM's truncation.
 *     {@link Factorization#predictedLoss()} reports the true, unweighted loss through {@code G}
 *     (the general formula), not the weighted one the truncation minimises.</li>
 * </ul>
 */
public final class LowRankFactorizer {

    private static final double EPS = Math.ulp(1.0);

    private LowRankFactorizer() {
    }

    /**
     * Factorises {@code w} (row-major {@code [m, n]}, left untouched) by {@code method}.
     *
     * @param stats the calibration of {@code w}'s input; its Gram is needed by every method (for the
     *              predicted loss, if not for the factorisation), its mean |x| by ASVD only
     */
    public static Factorization factorize(LowRankMethod method, float[] w, int m, int n, CalibrationStats stats,
            LowRankOptions options) {
        if (m < 1 || n < 1 || (long) m * n != w.length) {
            throw new IllegalArgumentException("a " + m + "×" + n + " weight needs " + (long) m * n
                    + " values, the array holds " + w.length);
        }
        if (stats.n() != n) {
            throw new IllegalArgumentException("calibration of " + stats.n() + " inputs given for a " + m + "×" + n
                    + " weight");
        }
        String settings = options.describe(method);
        double[] g = stats.gram();
        double[] a = Matrices.widen(w);
        return switch (method) {
            case PLAIN -> {
                ThinSvd svd = ThinSvd.of(a, m, n);
                yield general(method, settings, svd, svd.vt, g, "identity", n);
            }
            case ASVD -> asvd(settings, a, m, n, stats, options.asvdAlpha());
            case SVD_LLM -> whitened(method, settings, a, m, n, Whitening.of(g, n));
            case SVD_LLM_V2 -> whitened(method, settings, a, m, n, Whitening.eigen(g, n));
            case DIPSVD -> dipsvd(settings, a, m, n, g, options);
            case SOCO -> throw new IllegalArgumentException("SoCo's factorisation is trained on the model, not computed "
                    + "from one weight: use Compressor.soco (its factors start from SVD-LLM's)");
        };
    }

    private static Factorization asvd(String settings, double[] w, int m, int n, CalibrationStats stats,
            double alpha) {
        if (stats.meanAbs() == null) {
            throw new IllegalArgumentException("ASVD needs the mean |x| of every input channel; the calibration "
                    + "statistics hold only the Gram");
        }
        double[] s = new double[n];
        double smallest = Double.POSITIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            s[j] = stats.meanAbs()[j] == 0 ? 0 : Math.pow(stats.meanAbs()[j], alpha);
            if (s[j] > 0 && Double.isFinite(s[j])) {
                smallest = Math.min(smallest, s[j]);
            }
        }
        for (int j = 0; j < n; j++) {
            if (!(s[j] > 0 && Double.isFinite(s[j]))) {
                s[j] = smallest == Double.POSITIVE_INFINITY ? 1 : smallest;
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                w[i * n + j] *= s[j];
            }
        }
        ThinSvd svd = ThinSvd.of(w, m, n);
        double[] right = svd.vt; // Vᵀ·diag(1/s), in place
        for (int i = 0; i < svd.rank; i++) {
            for (int j = 0; j < n; j++) {
                right[i * n + j] /= s[j];
            }
        }
        return general(LowRankMethod.ASVD, settings, svd, right, stats.gram(), "diagonal", n);
    }

    private static Factorization whitened(LowRankMethod method, String settings, double[] w, int m, int n,
            Whitening whitening) {
        double[] a = Matrices.multiply(w, m, n, whitening.factor(), n);
        ThinSvd svd = ThinSvd.of(a, m, n);
        double[] right = Matrices.multiply(svd.vt, svd.rank, n, whitening.inverse(), n);
        double[] loss = new double[svd.rank + 1];
        for (int k = svd.rank - 1; k >= 0; k--) {
            loss[k] = loss[k + 1] + svd.sigma[k] * svd.sigma[k];
        }
        String route = whitening.route() == Whitening.Route.CHOLESKY ? "cholesky" : "eigen";
        return new Factorization(method, settings, m, n, svd.sigma, svd.u, right, loss, route, whitening.rank());
    }

    private static Factorization dipsvd(String settings, double[] w, int m, int n, double[] g,
            LowRankOptions options) {
        double[] weighted = g.clone();
        for (int j : protectedChannels(g, n, options.dipChannelFraction())) {
            for (int i = 0; i < n; i++) {
                weighted[i * n + j] *= options.dipChannelWeight();
            }
        }
        ThinSvd gd = ThinSvd.of(weighted, n, n);
        double floor = n * EPS * gd.sigma[0];
        double[] t = new double[n * n]; // U_g·√Σ_g, dropped columns zero
        double[] tPlus = new double[n * n]; // √Σ_g⁺·U_gᵀ
        int kept = 0;
        for (int j = 0; j < n; j++) {
            if (!(gd.sigma[j] > floor)) {
                continue;
            }
            kept++;
            double root = Math.sqrt(gd.sigma[j]);
            for (int i = 0; i < n; i++) {
                t[i * n + j] = gd.u[i * n + j] * root;
                tPlus[j * n + i] = gd.u[i * n + j] / root;
            }
        }
        double[] a = Matrices.multiply(w, m, n, t, n);
        ThinSvd svd = ThinSvd.of(a, m, n);
        double[] right = Matrices.multiply(svd.vt, svd.rank, n, tPlus, n);
        return general(LowRankMethod.DIPSVD, settings, svd, right, g, "weighted-eigen", kept);
    }

    /**
     * DipSVD's protected input channels: the {@code ⌊n·fraction⌋} largest column norms of {@code G}
     * (ties to the lower index), as the reference code's {@code argsort(norms)[:int(n·bar)]}.
     */
    static int[] protectedChannels(double[] g, int n, double fraction) {
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                norms[j] += g[i * n + j] * g[i * n + j];
            }
        }
        int count = (int) Math.floor(n * fraction + 1e-9);
        return Arrays.stream(sortedIndices(n, Comparator.comparingDouble((Integer j) -> -norms[j])))
                .limit(count).mapToInt(Integer::intValue).toArray();
    }

    private static Integer[] sortedIndices(int n, Comparator<Integer> order) {
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, order.thenComparingInt(i -> i));
        return idx;
    }

    /** The general case: {@code q_i = r_i·G·r_iᵀ}, {@code loss[k] = Σ_{i>k} σ_i²·q_i}. */
    private static Factorization general(LowRankMethod method, String settings, ThinSvd svd, double[] right,
            double[] g, String route, int transformRank) {
        int r = svd.rank;
        int n = svd.cols;
        double[] rg = Matrices.multiply(right, r, n, g, n);
        double[] loss = new double[r + 1];
        for (int i = r - 1; i >= 0; i--) {
            double q = 0;
            for (int j = 0; j < n; j++) {
                q += right[i * n + j] * rg[i * n + j];
            }
            loss[i] = loss[i + 1] + svd.sigma[i] * svd.sigma[i] * Math.max(q, 0);
        }
        return new Factorization(method, settings, svd.rows, n, svd.sigma, svd.u, right, loss, route, transformRank);
    }
}
