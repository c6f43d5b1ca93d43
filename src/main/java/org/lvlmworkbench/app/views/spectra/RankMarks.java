package org.lvlmworkbench.app.views.spectra;

import java.util.Locale;
import org.lvlmworkbench.app.widgets.Numbers;
import org.lvlmworkbench.core.compress.lowrank.Factorization;

/**
 * What the rank slider shows for one matrix at rank {@code k}: the energy of {@code W·T} its top
 * {@code k} singular values keep, the calibration loss of the truncation ({@code ‖(W − W_k)·Xᵀ‖²}, exact
 * for every method), and the parameters of the two factors against the dense matrix. Read from
 * arrays a {@link Curve} holds, made once per factorisation, so moving the slider computes nothing:
 * O(1) per position.
 *
 * @param breakEven the largest rank whose factors are fewer numbers than the dense matrix
 */
public record RankMarks(int rank, int maxRank, double energyKept, double predictedLoss, double relativeLoss,
        long parameters, long denseParameters, int breakEven) {

    /** The arrays of one factorisation the slider reads. */
    public record Curve(String method, int rows, int cols, double[] energy, double[] loss) {

        /**
         * @param energy {@code energy[k]} = {@code Σ_{i<k} σ_i² / Σσ²} for {@code k = 0..r}
         * @param loss   {@code loss[k]} = {@code ‖(W − W_k)·Xᵀ‖²} for {@code k = 0..r}
         */
        public Curve {
            if (energy.length != loss.length) {
                throw new IllegalArgumentException(energy.length + " energies but " + loss.length + " losses");
            }
        }

        /** Reads the factorisation's arrays once. */
        public static Curve of(Factorization f) {
            double[] sigma = f.singularValues();
            double[] cumulative = new double[sigma.length + 1];
            for (int i = 0; i < sigma.length; i++) {
                cumulative[i + 1] = cumulative[i] + sigma[i] * sigma[i];
            }
            double total = cumulative[sigma.length];
            for (int k = 0; k < cumulative.length; k++) {
                cumulative[k] = total == 0 ? 1 : cumulative[k] / total;
            }
            return new Curve(f.method().jsonName(), f.rows(), f.cols(), cumulative, f.predictedLoss());
        }

        public int maxRank() {
            return energy.length - 1;
        }
    }

    /** The marks at rank {@code k}, clamped to {@code 0..maxRank}. */
    public static RankMarks of(Curve c, int k) {
        int r = c.maxRank();
        int rank = Math.max(0, Math.min(r, k));
        long dense = (long) c.rows() * c.cols();
        double full = c.loss()[0];
        return new RankMarks(rank, r, c.energy()[rank], c.loss()[rank], full == 0 ? 0 : c.loss()[rank] / full,
                (long) rank * (c.rows() + c.cols()), dense, (int) ((dense - 1) / (c.rows() + c.cols())));
    }

    /** Whether the factors are fewer numbers than the dense matrix. */
    public boolean saves() {
        return rank <= breakEven;
    }

    /** The factors' parameters as a share of the dense matrix's. */
    public double parameterShare() {
        return (double) parameters / denseParameters;
    }

    /** One line for the view, e.g. "rank 24 of 96 · 93.1 % of the energy · loss … · 4,608 of 9,216 parameters (50 %)". */
    public String describe() {
        String head = String.format(Locale.ROOT, "rank %d of %d · %.1f %% of the energy kept · predicted loss %s (%.2f %% "
                + "of ‖W·Xᵀ‖²)", rank, maxRank, 100 * energyKept, Numbers.compact(predictedLoss), 100 * relativeLoss);
        if (!saves()) {
            return head + String.format(Locale.ROOT, " · dense: no saving (k(m+n) = %,d ≥ mn = %,d past break-even %d)",
                    parameters, denseParameters, breakEven);
        }
        return head + String.format(Locale.ROOT, " · %,d of %,d parameters (%.0f %%)", parameters, denseParameters,
                100 * parameterShare());
    }

    /**
     * The rank that keeps {@code keep} of a matrix's parameters, SVD-LLM's rule
     * {@code k = ⌊keep·mn/(m + n)⌋} (at least 1); a keep of 1 or more is the dense matrix, -1.
     */
    public static int rankForKeep(int rows, int cols, double keep) {
        if (keep >= 1) {
            return -1;
        }
        long mn = (long) rows * cols;
        return (int) Math.max(1, Math.floor(keep * mn / (rows + cols)));
    }
}
