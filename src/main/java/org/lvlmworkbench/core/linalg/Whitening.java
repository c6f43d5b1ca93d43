package org.lvlmworkbench.core.linalg;

import java.util.Optional;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.SingularOps_DDRM;
import org.ejml.dense.row.decomposition.TriangularSolver_DDRM;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/**
 * SVD-LLM's whitening (Wang et al., arXiv 2403.07378) of a linear map's calibration inputs.
 *
 * <p>Layout: a weight {@code W} is {@code [out, in]} and acts as {@code y = W·x}; the calibration
 * inputs are {@code X [tokens, in]} (one row per token), so the outputs are {@code X·Wᵀ} and the Gram
 * is {@code G = XᵀX [in, in]}. This holds a factor {@code S [in, in]} with {@code G = S·Sᵀ}. For any
 * {@code D [out, in]}, {@code ‖D·Xᵀ‖²_F = tr(D·G·Dᵀ) = ‖D·S‖²_F}; so with {@code A = W·S} and
 * {@code A_k} its best rank-{@code k} approximation (top {@code k} singular triplets), the truncation
 * {@code W_k = A_k·S⁻¹} loses exactly
 * <pre>‖(W − W_k)·Xᵀ‖²_F = ‖A − A_k‖²_F = Σ_{i>k} σ_i(W·S)²</pre>
 * on the calibration tokens, and no rank-{@code k} matrix loses less.
 *
 * <p>Two routes to {@code S}:
 * <ul>
 * <li>{@link Route#CHOLESKY}: {@code S = L}, the lower Cholesky factor, when every pivot {@code L_ii²}
 *     exceeds {@code in·ε·max_j G_jj} (ε = 2⁻⁵²): below that a pivot is rounding noise and {@code G}
 *     is singular in all but name (fewer tokens than inputs, an input that is always zero).</li>
 * <li>{@link Route#EIGEN} otherwise: {@code G = U·Λ·Uᵀ}, {@code S = U·sqrt(Λ₊)} where eigenvalues at or
 *     below the floor {@code in·ε·λ_max} (the size of the eigensolver's rounding error on {@code G})
 *     count as zero, so those columns of {@code S} are zero. {@code S} is then singular and
 *     {@code S⁻¹} above becomes the pseudo-inverse {@code S⁺}; the identity still holds, because
 *     {@code A_k}'s right singular vectors lie in the row space of {@code S}, so {@code A_k·S⁺·S = A_k}.</li>
 * </ul>
 *
 * @param route  which factorisation gave {@code S}
 * @param size   {@code in}
 * @param factor {@code S}, row-major {@code in × in}
 * @param rank   the columns of {@code S} that are not zero ({@code in} on the Cholesky route)
 * @param floor  the eigenvalue floor used on the eigen route, 0 on the Cholesky route
 */
public record Whitening(Route route, int size, double[] factor, int rank, double floor) {

    /** How {@code S} was obtained. */
    public enum Route {
        CHOLESKY, EIGEN
    }

    private static final double EPS = Math.ulp(1.0);

    /** The whitening of {@code gram} ({@code XᵀX}, row-major {@code n × n}, left untouched). */
    public static Whitening of(double[] gram, int n) {
        Matrices.checkSize(gram, n, n, "Gram");
        double maxDiagonal = 0;
        for (int i = 0; i < n; i++) {
            maxDiagonal = Math.max(maxDiagonal, gram[i * n + i]);
        }
        double pivotFloor = n * EPS * maxDiagonal;
        Optional<double[]> lower = Cholesky.lower(gram, n);
        if (lower.isPresent() && minPivotSquared(lower.get(), n) > pivotFloor) {
            return new Whitening(Route.CHOLESKY, n, lower.get(), n, 0);
        }
        return eigen(gram, n);
    }

    /**
     * The {@link Route#EIGEN} whitening of {@code gram} whether or not it is positive definite:
     * {@code S = U·sqrt(Λ₊)} (SVD-LLM V2's factor {@code U_s·√S_s} of {@code XᵀX}).
     */
    public static Whitening eigen(double[] gram, int n) {
        Matrices.checkSize(gram, n, n, "Gram");
        SymmetricEigen eig = SymmetricEigen.of(gram, n);
        double floor = n * EPS * Math.max(eig.values()[0], 0);
        double[] s = new double[n * n];
        int kept = 0;
        for (int j = 0; j < n; j++) {
            double lambda = eig.values()[j];
            if (lambda <= floor) {
                continue;
            }
            kept++;
            double root = Math.sqrt(lambda);
            for (int i = 0; i < n; i++) {
                s[i * n + j] = eig.vectors()[i * n + j] * root;
            }
        }
        return new Whitening(Route.EIGEN, n, s, kept, floor);
    }

    private static double minPivotSquared(double[] l, int n) {
        double min = Double.POSITIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            min = Math.min(min, l[i * n + i] * l[i * n + i]);
        }
        return min;
    }

    /** {@code W·S} for {@code w} row-major {@code [rows, size]}: the matrix whose spectrum SVD-LLM truncates. */
    public double[] rightMultiply(float[] w, int rows) {
        Matrices.checkSize(w, rows, size, "weight");
        return Matrices.multiply(Matrices.widen(w), rows, size, factor, size);
    }

    /**
     * SVD-LLM's rank-{@code k} truncation of {@code w} (row-major {@code [rows, size]}):
     * {@code left = U_k·Σ_k}, {@code right = V_kᵀ·S⁻¹} (pseudo-inverse on the eigen route), from the
     * SVD {@code W·S = U·Σ·Vᵀ}. Needs the full SVD with vectors: meant for one matrix at a time.
     */
    public LowRank truncate(float[] w, int rows, int k) {
        int maxRank = Math.min(rows, size);
        if (k < 0 || k > maxRank) {
            throw new IllegalArgumentException("rank " + k + " is outside 0.." + maxRank + " for a " + rows + "×" + size
                    + " weight");
        }
        DMatrixRMaj a = DMatrixRMaj.wrap(rows, size, rightMultiply(w, rows));
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(rows, size, true, true, true);
        if (!svd.decompose(a)) {
            throw new ArithmeticException("SVD of the whitened " + rows + "×" + size + " weight did not converge");
        }
        DMatrixRMaj u = svd.getU(null, false);
        DMatrixRMaj sigma = svd.getW(null);
        DMatrixRMaj vt = svd.getV(null, true);
        SingularOps_DDRM.descendingOrder(u, false, sigma, vt, true);
        double[] left = new double[rows * k];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < k; j++) {
                left[i * k + j] = u.data[i * u.numCols + j] * sigma.get(j, j);
            }
        }
        double[] vtk = new double[k * size];
        System.arraycopy(vt.data, 0, vtk, 0, k * size);
        double[] right = k == 0 ? vtk : Matrices.multiply(vtk, k, size, inverse(), size);
        return new LowRank(rows, size, k, left, right);
    }

    /** {@code S⁻¹} (Cholesky route) or {@code S⁺} (eigen route), row-major {@code size × size}. */
    public double[] inverse() {
        if (route == Route.CHOLESKY) {
            double[] inv = factor.clone();
            TriangularSolver_DDRM.invertLower(inv, size);
            return inv;
        }
        // S's columns are orthogonal (eigenvectors scaled by sqrt λ), so row j of S⁺ is column j of S
        // divided by its squared norm λ_j, and zero for a dropped direction.
        double[] pinv = new double[size * size];
        for (int j = 0; j < size; j++) {
            double norm2 = 0;
            for (int i = 0; i < size; i++) {
                norm2 += factor[i * size + j] * factor[i * size + j];
            }
            if (norm2 == 0) {
                continue;
            }
            for (int i = 0; i < size; i++) {
                pinv[j * size + i] = factor[i * size + j] / norm2;
            }
        }
        return pinv;
    }
}
