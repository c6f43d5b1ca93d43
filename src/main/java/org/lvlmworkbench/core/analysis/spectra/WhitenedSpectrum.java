package org.lvlmworkbench.core.analysis.spectra;

import org.lvlmworkbench.core.linalg.SingularValues;
import org.lvlmworkbench.core.linalg.Whitening;

/**
 * A weight's spectrum as SVD-LLM (arXiv 2403.07378) sees it: the singular values of {@code W·S},
 * where {@code W [out, in]} acts as {@code y = W·x} and {@code S} factors the Gram of the map's
 * calibration inputs, {@code G = XᵀX = S·Sᵀ} with {@code X [tokens, in]} (so the outputs are
 * {@code X·Wᵀ}). Truncating {@code W·S} to its top {@code k} singular triplets and multiplying back by
 * {@code S⁻¹} gives the {@code W_k} whose output error on those tokens is
 * {@code ‖(W − W_k)·Xᵀ‖²_F = Σ_{i>k} σ_i(W·S)²}, the least any rank-{@code k} matrix achieves:
 * {@link #truncationLoss()} is that curve. The maths and the two routes to {@code S} are in
 * {@link Whitening}.
 *
 * @param route          how {@code S} was obtained: Cholesky, or the eigen route for a singular {@code G}
 * @param whitenedRank   non-zero columns of {@code S} ({@code in} on the Cholesky route)
 * @param eigenFloor     eigenvalues of {@code G} at or below this counted as zero (eigen route; 0 otherwise)
 * @param tokens         calibration tokens (rows of {@code X}) in {@code G}
 * @param singularValues {@code σ(W·S)}, {@code min(out, in)} values, descending
 */
public record WhitenedSpectrum(Whitening.Route route, int whitenedRank, double eigenFloor, long tokens,
        double[] singularValues) {

    /**
     * The whitened spectrum from the product {@code W·S} (row-major {@code [rows, in]}, overwritten:
     * it is the largest array of the computation), {@code S} being {@code whitening}'s factor.
     */
    public static WhitenedSpectrum of(double[] weightTimesFactor, int rows, Whitening whitening, long tokens) {
        double[] sigma = SingularValues.destroying(weightTimesFactor, rows, whitening.size());
        return new WhitenedSpectrum(whitening.route(), whitening.rank(), whitening.floor(), tokens, sigma);
    }

    /**
     * {@code loss[k] = Σ_{i>k} σ_i(W·S)²} for {@code k = 0 .. min(out, in)} (1-based {@code i}): the
     * squared output error over the calibration tokens of SVD-LLM's rank-{@code k} truncation;
     * {@code loss[0] = ‖W·Xᵀ‖²_F}, the last entry 0.
     */
    public double[] truncationLoss() {
        double[] loss = new double[singularValues.length + 1];
        for (int k = singularValues.length - 1; k >= 0; k--) {
            loss[k] = loss[k + 1] + singularValues[k] * singularValues[k];
        }
        return loss;
    }
}
