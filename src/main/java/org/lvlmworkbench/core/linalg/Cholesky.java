package org.lvlmworkbench.core.linalg;

import java.util.Optional;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.CholeskyDecomposition_F64;

/**
 * The Cholesky factor of a symmetric positive definite matrix (EJML, double precision): the lower
 * triangular {@code L} with {@code G = L·Lᵀ}.
 */
public final class Cholesky {

    private Cholesky() {
    }

    /**
     * @param symmetric row-major {@code n × n}, left untouched; only its lower triangle is read
     * @return {@code L} row-major {@code n × n}, zero above the diagonal; empty when a pivot is not
     *         positive, i.e. the matrix is not positive definite in floating point
     */
    public static Optional<double[]> lower(double[] symmetric, int n) {
        Matrices.checkSize(symmetric, n, n, "symmetric matrix");
        CholeskyDecomposition_F64<DMatrixRMaj> chol = DecompositionFactory_DDRM.chol(n, true);
        DMatrixRMaj g = new DMatrixRMaj(n, n);
        System.arraycopy(symmetric, 0, g.data, 0, symmetric.length);
        if (!chol.decompose(g)) {
            return Optional.empty();
        }
        DMatrixRMaj l = chol.getT(null);
        // EJML leaves the strict upper triangle of its working copy as it found it.
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                l.data[i * n + j] = 0;
            }
        }
        for (double v : l.data) {
            if (!Double.isFinite(v)) {
                return Optional.empty();
            }
        }
        return Optional.of(l.data);
    }
}
