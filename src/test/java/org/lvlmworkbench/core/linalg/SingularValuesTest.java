package org.lvlmworkbench.core.linalg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.SingularValueDecomposition_F64;
import org.junit.jupiter.api.Test;

/** Singular values against constructed matrices whose spectrum is known, and against EJML. */
class SingularValuesTest {

    @Test
    void aDiagonalMatrixHasItsAbsoluteDiagonalSorted() {
        // 3 × 5 with the diagonal 2, -7, 0.5: singular values 7, 2, 0.5.
        float[] a = new float[15];
        a[0] = 2;
        a[6] = -7;
        a[12] = 0.5f;
        assertArrayEquals(new double[] {7, 2, 0.5}, SingularValues.of(a, 3, 5), 1e-14);
        // The same matrix transposed (5 × 3) has the same values.
        float[] t = new float[15];
        t[0] = 2;
        t[4] = -7;
        t[8] = 0.5f;
        assertArrayEquals(new double[] {7, 2, 0.5}, SingularValues.of(t, 5, 3), 1e-14);
    }

    @Test
    void aRankKProductHasExactlyItsSigmas() {
        Random random = new Random(7);
        double[] sigma = {50, 9, 3, 1e-3};
        for (int[] shape : new int[][] {{40, 70}, {70, 40}, {33, 33}}) {
            int m = shape[0];
            int n = shape[1];
            double[] s = SingularValues.of(TestMatrices.withSingularValues(m, n, sigma, random), m, n);
            assertEquals(Math.min(m, n), s.length);
            for (int i = 0; i < sigma.length; i++) {
                assertEquals(sigma[i], s[i], 1e-12 * sigma[0], "σ" + (i + 1) + " of " + m + "×" + n);
            }
            for (int i = sigma.length; i < s.length; i++) {
                assertTrue(Math.abs(s[i]) < 1e-12 * sigma[0], "σ" + (i + 1) + " of a rank-4 matrix is " + s[i]);
            }
        }
    }

    @Test
    void agreesWithEjmlOnAGaussianMatrix() {
        Random random = new Random(11);
        int m = 57;
        int n = 91;
        float[] a = TestMatrices.gaussianFloats(m, n, random);
        SingularValueDecomposition_F64<DMatrixRMaj> svd = DecompositionFactory_DDRM.svd(m, n, false, false, true);
        assertTrue(svd.decompose(DMatrixRMaj.wrap(m, n, Matrices.widen(a))));
        double[] expected = svd.getSingularValues().clone();
        Arrays.sort(expected);
        reverse(expected);
        assertArrayEquals(expected, SingularValues.of(a, m, n), 1e-11);
    }

    @Test
    void theInputIsLeftUntouchedUnlessDestroyingIsAsked() {
        double[] a = TestMatrices.gaussian(6, 4, new Random(3));
        double[] copy = a.clone();
        double[] s = SingularValues.of(a, 6, 4);
        assertArrayEquals(copy, a);
        assertArrayEquals(s, SingularValues.destroying(a, 6, 4), 0);
    }

    @Test
    void refusesNonFiniteEntriesAndWrongShapes() {
        float[] a = new float[6];
        a[4] = Float.NaN;
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> SingularValues.of(a, 2, 3));
        assertTrue(nan.getMessage().contains("NaN"), nan.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> SingularValues.of(new float[6], 4, 2));
        assertTrue(shape.getMessage().contains("4×2 needs 8 values"), shape.getMessage());
    }

    @Test
    void timesItselfAndNamesItsImplementation() {
        assertTrue(SingularValues.timeSeconds(64, 48, 1) > 0);
        String implementation = SingularValues.implementation();
        assertTrue(implementation.startsWith("native ") || implementation.startsWith("F2jLAPACK"), implementation);
    }

    private static void reverse(double[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
