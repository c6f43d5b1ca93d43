package org.lvlmworkbench.core.analysis.spectra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.linalg.SingularValues;

/** The numbers read from a spectrum, on spectra whose answers are known. */
class MatrixSpectrumTest {

    private static MatrixSpectrum spectrum(int rows, int cols, double... sigma) {
        return new MatrixSpectrum("w", "text", 0, "q", rows, cols, sigma, null);
    }

    @Test
    void effectiveRankOfAFlatSpectrumIsItsLength() {
        assertEquals(4, spectrum(6, 6, 3, 3, 3, 3, 0, 0).effectiveRankRoyVetterli(), 1e-12);
        assertEquals(1, spectrum(2, 2, 5, 0).effectiveRankRoyVetterli(), 1e-12);
        // Uneven values give fewer effective dimensions than non-zero ones.
        double uneven = spectrum(3, 3, 10, 1, 0.1).effectiveRankRoyVetterli();
        assertEquals(true, uneven > 1 && uneven < 3, "effective rank " + uneven);
    }

    @Test
    void stableRankOfARankOneMatrixIsOne() {
        // u·vᵀ with u = (1, 2, 3), v = (1, -1, 0.5, 2): one singular value ‖u‖·‖v‖, the rest zero.
        double[] u = {1, 2, 3};
        double[] v = {1, -1, 0.5, 2};
        float[] a = new float[12];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                a[i * 4 + j] = (float) (u[i] * v[j]);
            }
        }
        MatrixSpectrum s = spectrum(3, 4, SingularValues.of(a, 3, 4));
        assertEquals(Math.sqrt(14) * Math.sqrt(6.25), s.singularValues()[0], 1e-12);
        assertEquals(1, s.stableRank(), 1e-12);
        assertEquals(3, spectrum(3, 3, 2, 2, 2).stableRank(), 1e-12);
    }

    @Test
    void breakEvenRankIsTheLastRankThatStillSaves() {
        assertEquals(2047, MatrixSpectrum.breakEvenRank(4096, 4096));
        assertEquals(0, spectrum(1, 1, 1).breakEvenRank(), "1×1: no rank saves anything");
        for (int m = 1; m <= 40; m++) {
            for (int n = 1; n <= 40; n++) {
                long k = MatrixSpectrum.breakEvenRank(m, n);
                assertEquals(true, k * (m + n) < (long) m * n, m + "×" + n + " at " + k);
                assertEquals(true, (k + 1) * (m + n) >= (long) m * n, m + "×" + n + " at " + (k + 1));
            }
        }
        assertEquals(2985, MatrixSpectrum.breakEvenRank(4096, 11008));
    }

    @Test
    void energyRetainedAndTheRankThatReachesAFraction() {
        MatrixSpectrum s = spectrum(3, 5, 4, 3, 0);
        assertArrayEquals(new double[] {0, 16 / 25.0, 1, 1}, s.energyRetained(), 1e-15);
        assertEquals(0, s.rankForEnergy(0));
        assertEquals(1, s.rankForEnergy(0.5));
        assertEquals(1, s.rankForEnergy(0.64));
        assertEquals(2, s.rankForEnergy(0.65));
        assertEquals(2, s.rankForEnergy(1));
        assertThrows(IllegalArgumentException.class, () -> s.rankForEnergy(1.5));
    }

    @Test
    void aSpectrumMustHaveOneValuePerRank() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> spectrum(3, 5, 1, 2));
        assertEquals("w: 2 singular values for a 3×5 matrix", e.getMessage());
    }

    @Test
    void energyOfAnySpectrumIsTheSameAsTheRetainedCurve() {
        MatrixSpectrum m = spectrum(4, 4, 3, 2, 1, 0);
        double[] curve = m.energyRetained();
        for (int k = 0; k <= 4; k++) {
            assertEquals(curve[k], MatrixSpectrum.energyRetained(m.singularValues(), k), 1e-15, "k = " + k);
        }
        assertEquals(0.8, MatrixSpectrum.energyRetained(new double[] {2, 1}, 1), 1e-12, "4 of 5");
        assertEquals(4, MatrixSpectrum.effectiveRankRoyVetterli(new double[] {2, 2, 2, 2}), 1e-12);
    }
}
