package org.lvlmworkbench.core.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The factor {@code S} of a Gram, {@code G = S·Sᵀ}, on both routes, and the pieces it is built from. */
class WhiteningTest {

    /** {@code XᵀX} for {@code X [tokens, in]} of Gaussian values. */
    static double[] gram(int tokens, int in, Random random) {
        double[] x = TestMatrices.gaussian(tokens, in, random);
        double[] xt = transpose(x, tokens, in);
        return Matrices.multiply(xt, in, tokens, x, in);
    }

    static double[] transpose(double[] a, int rows, int cols) {
        double[] t = new double[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }

    private static void assertFactors(double[] g, Whitening w) {
        int n = w.size();
        double[] sst = Matrices.multiply(w.factor(), n, n, transpose(w.factor(), n, n), n);
        double scale = 0;
        for (double v : g) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertArrayEquals(g, sst, 1e-12 * scale, "G = S·Sᵀ");
    }

    @Test
    void moreTokensThanInputsTakeTheCholeskyRoute() {
        int n = 12;
        double[] g = gram(40, n, new Random(5));
        Whitening w = Whitening.of(g, n);
        assertEquals(Whitening.Route.CHOLESKY, w.route());
        assertEquals(n, w.rank());
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                assertEquals(0, w.factor()[i * n + j], "S is lower triangular");
            }
        }
        assertFactors(g, w);
        double[] identity = Matrices.multiply(w.factor(), n, n, w.inverse(), n);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                assertEquals(i == j ? 1 : 0, identity[i * n + j], 1e-10, "S·S⁻¹ at " + i + "," + j);
            }
        }
    }

    @Test
    void fewerTokensThanInputsTakeTheEigenRouteWithThatRank() {
        int n = 12;
        int tokens = 5;
        double[] g = gram(tokens, n, new Random(6));
        Whitening w = Whitening.of(g, n);
        assertEquals(Whitening.Route.EIGEN, w.route());
        assertEquals(tokens, w.rank(), "one direction per token; the rest fall under the floor");
        assertTrue(w.floor() > 0);
        assertFactors(g, w);
        // S⁺ is S's pseudo-inverse: S·S⁺·S = S.
        double[] s = w.factor();
        double[] back = Matrices.multiply(Matrices.multiply(s, n, n, w.inverse(), n), n, n, s, n);
        assertArrayEquals(s, back, 1e-10);
    }

    @Test
    void choleskyRefusesAnIndefiniteMatrix() {
        assertTrue(Cholesky.lower(new double[] {1, 2, 2, 1}, 2).isEmpty());
        assertArrayEquals(new double[] {2, 0, 1, 3}, Cholesky.lower(new double[] {4, 2, 2, 10}, 2).orElseThrow(),
                1e-15);
    }

    @Test
    void symmetricEigenSortsDescendingWithOrthonormalVectors() {
        // [[2, 1], [1, 2]]: eigenvalues 3 (vector (1, 1)/√2) and 1 (vector (1, -1)/√2).
        SymmetricEigen e = SymmetricEigen.of(new double[] {2, 1, 1, 2}, 2);
        assertArrayEquals(new double[] {3, 1}, e.values(), 1e-14);
        double r = Math.sqrt(0.5);
        assertEquals(r, Math.abs(e.vectors()[0]), 1e-14);
        assertEquals(e.vectors()[0], e.vectors()[2], 1e-14, "first column ∝ (1, 1)");
        assertEquals(-e.vectors()[1], e.vectors()[3], 1e-14, "second column ∝ (1, -1)");
    }
}
