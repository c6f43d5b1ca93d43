package org.lvlmworkbench.core.analysis.evolution;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;

/** Principal components of a few hundred points by the SVD of the centred data (EJML, float64). */
final class Pca {

    private Pca() {
    }

    /**
     * {@code [n][2]} coordinates of {@code rows} ({@code [n][d]}) on their first two principal
     * components, and the fraction of variance each explains ({@code [2]}); fewer than two points or
     * no variance give zeros. Signs follow the SVD's, made deterministic by making each component's
     * largest-magnitude loading positive.
     */
    static double[][][] project(float[][] rows) {
        int n = rows.length;
        int d = n == 0 ? 0 : rows[0].length;
        double[][] points = new double[n][2];
        double[][] explained = {{0, 0}};
        if (n < 2 || d == 0) {
            return new double[][][] {points, explained};
        }
        double[] mean = new double[d];
        for (float[] r : rows) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / (double) n;
            }
        }
        DMatrixRMaj x = new DMatrixRMaj(n, d);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x.set(i, j, rows[i][j] - mean[j]);
            }
        }
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(n, d, false, true, true);
        if (!svd.decompose(x.copy())) {
            throw new IllegalStateException("the SVD of a " + n + "×" + d + " matrix did not converge");
        }
        double[] sigma = svd.getSingularValues();
        DMatrixRMaj vt = svd.getV(null, true); // rows = right singular vectors
        int k = Math.min(sigma.length, vt.numRows);
        Integer[] order = new Integer[k];
        for (int i = 0; i < k; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(sigma[b], sigma[a]));
        double total = 0;
        for (int i = 0; i < k; i++) {
            total += sigma[i] * sigma[i];
        }
        for (int c = 0; c < Math.min(2, k); c++) {
            int comp = order[c];
            double sign = 1;
            double biggest = 0;
            for (int j = 0; j < d; j++) {
                double v = vt.get(comp, j);
                if (Math.abs(v) > Math.abs(biggest)) {
                    biggest = v;
                }
            }
            sign = biggest < 0 ? -1 : 1;
            for (int i = 0; i < n; i++) {
                double s = 0;
                for (int j = 0; j < d; j++) {
                    s += x.get(i, j) * vt.get(comp, j);
                }
                points[i][c] = sign * s;
            }
            explained[0][c] = total == 0 ? 0 : sigma[comp] * sigma[comp] / total;
        }
        return new double[][][] {points, explained};
    }
}
