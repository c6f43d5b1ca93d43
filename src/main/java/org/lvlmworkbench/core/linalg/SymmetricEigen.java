package org.lvlmworkbench.core.linalg;

import java.util.Arrays;
import java.util.Comparator;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * The eigen-decomposition {@code G = U·diag(values)·Uᵀ} of a real symmetric matrix (EJML, double
 * precision), eigenvalues in descending order.
 *
 * @param n       the matrix size
 * @param values  {@code [n]} eigenvalues, descending
 * @param vectors {@code U}, row-major {@code n × n}: column {@code j} is the unit eigenvector of
 *                {@code values[j]}, the columns orthonormal
 */
public record SymmetricEigen(int n, double[] values, double[] vectors) {

    /** Decomposes {@code symmetric} (row-major {@code n × n}, left untouched). */
    public static SymmetricEigen of(double[] symmetric, int n) {
        Matrices.checkSize(symmetric, n, n, "symmetric matrix");
        EigenDecomposition_F64<DMatrixRMaj> eig = DecompositionFactory_DDRM.eig(n, true, true);
        DMatrixRMaj g = new DMatrixRMaj(n, n);
        System.arraycopy(symmetric, 0, g.data, 0, symmetric.length);
        if (!eig.decompose(g)) {
            throw new ArithmeticException("symmetric eigen-decomposition of a " + n + "×" + n
                    + " matrix did not converge");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> eig.getEigenvalue(i).real).reversed());
        double[] values = new double[n];
        double[] vectors = new double[n * n];
        for (int j = 0; j < n; j++) {
            values[j] = eig.getEigenvalue(order[j]).real;
            DMatrixRMaj v = eig.getEigenVector(order[j]);
            for (int i = 0; i < n; i++) {
                vectors[i * n + j] = v.data[i];
            }
        }
        return new SymmetricEigen(n, values, vectors);
    }
}
