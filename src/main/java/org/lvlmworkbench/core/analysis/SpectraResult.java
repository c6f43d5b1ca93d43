package org.lvlmworkbench.core.analysis;

import java.util.List;
import org.lvlmworkbench.core.analysis.spectra.MatrixSpectrum;

/**
 * A spectra analysis as exported: per linear weight, the named summary numbers and the singular values
 * (plain and, when calibrated, whitened).
 *
 * @param whitened  whether SVD-LLM whitened spectra were computed (from the probe set's calibration Grams)
 * @param computed  matrices computed in this run (the rest came from the cache)
 * @param fromCache matrices read from the cache
 */
public record SpectraResult(String model, String probeSet, String probeFingerprint, boolean whitened, int computed,
        int fromCache, int calibrationPasses, List<Summary> matrices, List<MatrixSpectrum> spectra) {

    /**
     * The numbers a table shows for one weight, each effective-rank variant under its own name.
     *
     * @param effectiveRankRoyVetterli exp of the entropy of σ/‖σ‖₁ (Roy &amp; Vetterli 2007)
     * @param stableRank               Σσ²/σ₁²
     * @param breakEvenRank            the largest k with k(m+n) &lt; mn: keeping more parameters than that saves nothing
     * @param rankFor90                the smallest rank keeping 90 % of Σσ²
     * @param rankFor99                the smallest rank keeping 99 % of Σσ²
     * @param whitenedRankFor90        the same on the whitened spectrum (NaN-free −1 when not computed)
     */
    public record Summary(String name, String component, int layer, String role, int rows, int cols,
            double effectiveRankRoyVetterli, double stableRank, long breakEvenRank, int rankFor90, int rankFor99,
            int whitenedRankFor90) {

        static Summary of(MatrixSpectrum s) {
            int whitened90 = -1;
            if (s.whitened() != null) {
                double[] loss = s.whitened().truncationLoss();
                double total = loss[0];
                for (int k = 0; k < loss.length; k++) {
                    if (total == 0 || loss[k] <= 0.1 * total) {
                        whitened90 = k;
                        break;
                    }
                }
            }
            return new Summary(s.name(), s.component(), s.layer(), s.role(), s.rows(), s.cols(),
                    s.effectiveRankRoyVetterli(), s.stableRank(), s.breakEvenRank(), s.rankForEnergy(0.9),
                    s.rankForEnergy(0.99), whitened90);
        }
    }
}
