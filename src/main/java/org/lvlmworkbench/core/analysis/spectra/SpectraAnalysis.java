package org.lvlmworkbench.core.analysis.spectra;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.linalg.SingularValues;
import org.lvlmworkbench.core.linalg.Whitening;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.LinearWeight;

/**
 * The singular spectrum of every linear map of a model ({@code LanguageModel#linears()}, in forward
 * order), and its activation-whitened spectrum when calibration Grams are given. Each result goes to
 * the caller as soon as it is done, so a view fills in matrix by matrix.
 *
 * <p>One weight matrix is widened to float32 at a time (a 7B decoder's largest is 11008 × 4096,
 * 180 MB, 360 MB once in double precision). With a {@link SpectraCache}, values computed before for
 * the same weights (and, whitened, the same probe items and processing files) are read back instead of
 * computed, and the calibration passes run only if some whitened spectrum is missing.
 */
public final class SpectraAnalysis {

    /** The variant key of a plain spectrum in the cache. */
    static final String PLAIN = "plain";

    /**
     * What one run produced.
     *
     * @param spectra           one per linear map, in forward order
     * @param computed          spectra (plain and whitened counted apart) computed in this run
     * @param fromCache         spectra read from the cache
     * @param calibrationPasses prefill passes over the probe items that this run needed
     */
    public record Report(List<MatrixSpectrum> spectra, int computed, int fromCache, int calibrationPasses) {
    }

    private final LoadedModel model;
    private final SpectraCache cache;
    private final CalibrationGrams grams;

    /**
     * @param cache where spectra are kept between runs, or null for none
     * @param grams the calibration for whitened spectra, or null for plain spectra only
     */
    public SpectraAnalysis(LoadedModel model, SpectraCache cache, CalibrationGrams grams) {
        this.model = model;
        this.cache = cache;
        this.grams = grams;
    }

    /** Runs over every linear map; {@code onSpectrum} receives each result as it is done, on this thread. */
    public Report run(Progress progress, Consumer<MatrixSpectrum> onSpectrum) {
        List<LinearWeight> linears = model.model().linears();
        String weights = cache == null ? null : SpectraCache.weightsFingerprint(model.folder());
        String whitenedKey = grams == null || cache == null ? null
                : "whitened/" + grams.itemsFingerprint() + "/" + SpectraCache.processingFingerprint(model.folder());
        int passesBefore = grams == null ? 0 : grams.passesRun();
        Counts counts = new Counts();
        WhiteningMemo memo = new WhiteningMemo();
        List<MatrixSpectrum> out = new ArrayList<>();
        for (int i = 0; i < linears.size(); i++) {
            LinearWeight w = linears.get(i);
            progress.checkCancelled();
            int rows = Math.toIntExact(w.rows());
            int cols = Math.toIntExact(w.cols());
            String what = String.format("%d/%d %s (%d×%d)", i + 1, linears.size(), w.name(), rows, cols);
            Progress slice = progress.slice((double) i / linears.size(), (double) (i + 1) / linears.size());
            try {
                Matrix matrix = new Matrix(w, rows, cols);
                double[] sigma = cached(weights, w.name(), PLAIN).orElse(null);
                if (sigma == null) {
                    slice.update(0, "singular values " + what);
                    sigma = SingularValues.of(matrix.weight(), rows, cols);
                    progress.checkCancelled();
                    store(weights, w.name(), PLAIN, sigma);
                    counts.computed++;
                } else {
                    counts.fromCache++;
                }
                WhitenedSpectrum whitened = grams == null ? null
                        : whitened(w, matrix, weights, whitenedKey, memo, counts, slice.slice(0.5, 1), what);
                MatrixSpectrum spectrum = new MatrixSpectrum(w.name(), w.component(), w.layer(), w.role(), rows, cols,
                        sigma, whitened);
                out.add(spectrum);
                onSpectrum.accept(spectrum);
            } catch (IllegalArgumentException | ArithmeticException e) {
                throw new IllegalStateException(w.name() + ": " + e.getMessage(), e);
            }
            progress.update((double) (i + 1) / linears.size(), "done " + what);
        }
        int passes = grams == null ? 0 : grams.passesRun() - passesBefore;
        return new Report(List.copyOf(out), counts.computed, counts.fromCache, passes);
    }

    private WhitenedSpectrum whitened(LinearWeight w, Matrix matrix, String weights, String key, WhiteningMemo memo,
            Counts counts, Progress progress, String what) {
        Optional<double[]> sigma = cached(weights, w.name(), key);
        Optional<double[]> meta = cached(weights, w.name(), key + "/meta");
        if (sigma.isPresent() && meta.isPresent() && meta.get().length == 4) {
            counts.fromCache++;
            double[] m = meta.get();
            return new WhitenedSpectrum(Whitening.Route.values()[(int) m[0]], (int) m[1], m[2], (long) m[3],
                    sigma.get());
        }
        CalibrationGrams.Gram gram = grams.gram(w.inputHook(), progress.slice(0, 0.5));
        if (gram.width() != matrix.cols) {
            throw new IllegalStateException("Gram of '" + gram.hook() + "' is " + gram.width() + " wide, the map takes "
                    + matrix.cols + " inputs");
        }
        progress.checkCancelled();
        progress.update(0.5, "whitened singular values " + what);
        Whitening whitening = memo.whiteningOf(gram);
        progress.checkCancelled();
        double[] product = EngineProduct.weightTimesFactor(model.model().manager(), matrix.weight(), matrix.rows,
                whitening);
        progress.checkCancelled();
        WhitenedSpectrum spectrum = WhitenedSpectrum.of(product, matrix.rows, whitening, gram.tokens());
        progress.checkCancelled();
        store(weights, w.name(), key, spectrum.singularValues());
        store(weights, w.name(), key + "/meta", new double[] {spectrum.route().ordinal(), spectrum.whitenedRank(),
            spectrum.eigenFloor(), spectrum.tokens()});
        counts.computed++;
        return spectrum;
    }

    private Optional<double[]> cached(String weights, String matrix, String variant) {
        return cache == null ? Optional.empty() : cache.read(weights, matrix, variant);
    }

    private void store(String weights, String matrix, String variant, double[] values) {
        if (cache != null) {
            cache.write(weights, matrix, variant, values);
        }
    }

    /** One weight, widened on first use and then shared by its plain and whitened spectra. */
    private static final class Matrix {
        private final LinearWeight linear;
        private final int rows;
        private final int cols;
        private float[] weight;

        Matrix(LinearWeight linear, int rows, int cols) {
            this.linear = linear;
            this.rows = rows;
            this.cols = cols;
        }

        float[] weight() {
            if (weight == null) {
                weight = linear.map().weightRows();
            }
            return weight;
        }
    }

    /** The last whitening made: q, k and v (gate and up) follow each other and share one Gram. */
    private static final class WhiteningMemo {
        private CalibrationGrams.Gram gram;
        private Whitening whitening;

        Whitening whiteningOf(CalibrationGrams.Gram g) {
            if (g != gram) {
                whitening = null; // the previous factor may go before the new one is made
                whitening = Whitening.of(g.values(), g.width());
                gram = g;
            }
            return whitening;
        }
    }

    private static final class Counts {
        int computed;
        int fromCache;
    }
}
