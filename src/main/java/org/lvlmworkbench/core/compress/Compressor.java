package org.lvlmworkbench.core.compress;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.analysis.spectra.CalibrationGrams;
import org.lvlmworkbench.core.compress.apply.PlanApplier;
import org.lvlmworkbench.core.compress.depth.DepthScores;
import org.lvlmworkbench.core.compress.depth.SlidingWindowMerge;
import org.lvlmworkbench.core.compress.export.ExportOptions;
import org.lvlmworkbench.core.compress.export.ModelExporter;
import org.lvlmworkbench.core.compress.lowrank.Allocation;
import org.lvlmworkbench.core.compress.lowrank.CalibrationStats;
import org.lvlmworkbench.core.compress.lowrank.Factorization;
import org.lvlmworkbench.core.compress.lowrank.FactorizationCache;
import org.lvlmworkbench.core.compress.lowrank.LowRankFactorizer;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.lowrank.LowRankOptions;
import org.lvlmworkbench.core.compress.lowrank.MatrixProfile;
import org.lvlmworkbench.core.compress.lowrank.RankAllocation;
import org.lvlmworkbench.core.compress.lowrank.RankAllocator;
import org.lvlmworkbench.core.compress.plan.Calibration;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.LinearWeight;

/**
 * One model's compression workspace, what the CLI and the app both drive: the original model, its
 * calibration set, the factorisations computed so far (cached, so a rank slider re-slices and never
 * re-factorises), depth scores, and applying a plan to get the compressed model beside the original.
 *
 * <p>Calibration: the Grams {@code XᵀX} and mean |x| of every linear map's input over the
 * calibration items ({@link CalibrationGrams}, one prefill per item and pass, within its memory
 * budget). A merge group's layer is factorised on its merged weight with the bottom layer's
 * calibration statistics (the merged layer takes that layer's place; its exact inputs would need
 * the merged model itself).
 *
 * <p>Not thread-safe for concurrent callers except where noted; the app calls it from its single
 * session worker.
 */
public final class Compressor {

    /** 1 GiB of factorisations kept for re-slicing. */
    public static final long DEFAULT_CACHE_BYTES = 1L << 30;

    private final LoadedModel original;
    private final ModelShape shape;
    private final List<ProbeItem> calibrationItems;
    private final Calibration calibration;
    private final CalibrationGrams grams;
    private final FactorizationCache cache;
    private final LowRankOptions options;
    private final Map<String, LinearWeight> linears = new LinkedHashMap<>();
    private final Map<TokenSelection, DepthScores> depthScores = new EnumMap<>(TokenSelection.class);

    public Compressor(LoadedModel original, List<ProbeItem> calibrationItems, String calibrationSource) {
        this(original, calibrationItems, calibrationSource, LowRankOptions.DEFAULTS, DEFAULT_CACHE_BYTES);
    }

    public Compressor(LoadedModel original, List<ProbeItem> calibrationItems, String calibrationSource,
            LowRankOptions options, long cacheBytes) {
        if (calibrationItems.isEmpty()) {
            throw new IllegalArgumentException("compression needs at least one calibration item");
        }
        this.original = original;
        this.shape = PlanApplier.shapeOf(original);
        this.calibrationItems = List.copyOf(calibrationItems);
        this.grams = new CalibrationGrams(original, this.calibrationItems);
        this.calibration = new Calibration(calibrationSource, calibrationItems.size(),
                new ProbeSet("calibration", this.calibrationItems).fingerprint());
        this.cache = new FactorizationCache(cacheBytes);
        this.options = options;
        for (LinearWeight w : original.model().linears()) {
            linears.put(w.name(), w);
        }
    }

    public LoadedModel original() {
        return original;
    }

    public ModelShape shape() {
        return shape;
    }

    public Calibration calibration() {
        return calibration;
    }

    public List<ProbeItem> calibrationItems() {
        return calibrationItems;
    }

    public LowRankOptions options() {
        return options;
    }

    public FactorizationCache cache() {
        return cache;
    }

    /** A plan that changes nothing, for this model and this calibration set. */
    public CompressionPlan emptyPlan() {
        return CompressionPlan.empty(shape.fingerprint()).withCalibration(calibration);
    }

    // ---- low rank ----

    /** The calibration statistics of the map {@code matrix}'s input. */
    public CalibrationStats statistics(String matrix, Progress progress) {
        LinearWeight w = linear(matrix);
        CalibrationGrams.Gram g = grams.gram(w.inputHook(), progress);
        return new CalibrationStats(g.width(), g.tokens(), g.values(), g.meanAbs());
    }

    /** The matrix's factorisation by {@code method}: computed once, then from the cache. */
    public Factorization factorization(String matrix, LowRankMethod method, Progress progress) {
        LinearWeight w = linear(matrix);
        return cache.get(FactorizationCache.Key.of(matrix, method, options, calibration.fingerprint()), () -> {
            progress.checkCancelled();
            return LowRankFactorizer.factorize(method, w.map().weightRows(), Math.toIntExact(w.rows()),
                    Math.toIntExact(w.cols()), statistics(matrix, progress), options);
        });
    }

    /** The factorisation if it has been computed and is still cached, else null: costs nothing. */
    public Factorization cachedFactorization(String matrix, LowRankMethod method) {
        return cache.peek(FactorizationCache.Key.of(matrix, method, options, calibration.fingerprint()));
    }

    /**
     * The matrices an allocation shares a budget among by default: the decoder's linear maps that the
     * plan keeps as they are (not in a dropped block or sub-layer, not in a merge group), as SVD-LLM
     * counts its ratio over the decoder's linear maps.
     */
    public Predicate<ModelShape.Matrix> decoderScope(CompressionPlan plan) {
        return m -> m.component().equals("text") && plan.keepsLayer(m.layer()) && plan.mergeOf(m.layer()) == null
                && !(m.inAttention() ? plan.droppedAttention() : plan.droppedMlp()).contains(m.layer());
    }

    /** Every matrix {@code scope} accepts, factorised by {@code method} (from the cache where held). */
    public List<MatrixProfile> profiles(Predicate<ModelShape.Matrix> scope, LowRankMethod method, Progress progress) {
        List<ModelShape.Matrix> chosen = shape.matrices().values().stream().filter(scope).toList();
        List<MatrixProfile> out = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            progress.checkCancelled();
            ModelShape.Matrix m = chosen.get(i);
            progress.update((double) i / chosen.size(), "factorising " + m.name() + " (" + method.jsonName() + ")");
            out.add(MatrixProfile.of(m.name(), m.component(), m.layer(), m.role(),
                    factorization(m.name(), method, progress.slice((double) i / chosen.size(),
                            (double) (i + 1) / chosen.size()))));
        }
        progress.update(1, "factorised " + chosen.size() + " matrices");
        return out;
    }

    /**
     * {@code plan} with the ranks of every matrix in {@code scope} set by {@code allocation} so that
     * the scope's parameters shrink by {@code ratio} (fraction removed). A matrix the allocation keeps
     * dense loses any rank the plan had for it; rank 0 is kept as rank 1 (a map is never removed by
     * factorisation; dropping is the depth tools' job).
     */
    public Allocated allocate(CompressionPlan plan, LowRankMethod method, Allocation allocation, double ratio,
            Predicate<ModelShape.Matrix> scope, Progress progress) {
        List<MatrixProfile> profiles = profiles(scope, method, progress);
        RankAllocation result = RankAllocator.allocate(allocation, profiles, ratio);
        CompressionPlan out = plan;
        for (RankAllocation.Entry e : result.matrices()) {
            out = e.dense() ? out.withoutRank(e.name())
                    : out.withRank(e.name(), new MatrixRank(Math.max(1, e.rank()), method.jsonName()));
        }
        return new Allocated(out, result);
    }

    /** A plan with allocated ranks, and the allocation's own account (budget, kept parameters, per-matrix loss). */
    public record Allocated(CompressionPlan plan, RankAllocation allocation) {
    }

    /**
     * The calibration output error the plan's factorisations predict, {@code Σ ‖(W − W_k)·Xᵀ‖²_F} over
     * its ranked matrices (exact for every method, see {@code LowRankFactorizer}), from cached
     * factorisations only; NaN when one is not cached (nothing is computed here, so a slider can call it).
     */
    public double predictedLoss(CompressionPlan plan) {
        double sum = 0;
        for (Map.Entry<String, MatrixRank> e : plan.ranks().entrySet()) {
            Factorization f = cachedFactorization(e.getKey(), LowRankMethod.fromJson(e.getValue().method()));
            if (f == null) {
                return Double.NaN;
            }
            sum += f.predictedLoss(e.getValue().rank());
        }
        return sum;
    }

    /**
     * The same sum relative to each matrix's full output energy {@code ‖W·Xᵀ‖²_F} (its loss at rank 0),
     * averaged over the ranked matrices: a number comparable across models. NaN as {@link #predictedLoss}.
     */
    public double predictedRelativeLoss(CompressionPlan plan) {
        double sum = 0;
        for (Map.Entry<String, MatrixRank> e : plan.ranks().entrySet()) {
            Factorization f = cachedFactorization(e.getKey(), LowRankMethod.fromJson(e.getValue().method()));
            if (f == null) {
                return Double.NaN;
            }
            double full = f.predictedLoss(0);
            sum += full == 0 ? 0 : f.predictedLoss(e.getValue().rank()) / full;
        }
        return plan.ranks().isEmpty() ? 0 : sum / plan.ranks().size();
    }

    // ---- depth ----

    /** ShortGPT / LLM-Drop scores over the calibration items for one token selection (computed once). */
    public DepthScores depthScores(TokenSelection selection, Progress progress) {
        DepthScores s = depthScores.get(selection);
        if (s == null) {
            s = DepthScores.measure(original, calibrationItems, selection, progress);
            depthScores.put(selection, s);
        }
        return s;
    }

    /** SLM's sliding-window merge search on top of {@code plan} (see {@link SlidingWindowMerge}). */
    public SlidingWindowMerge.Result slidingWindowMerge(CompressionPlan plan, double threshold, TokenSelection selection,
            MergeFormula formula, Progress progress) {
        return SlidingWindowMerge.search(original, plan, calibrationItems, threshold, selection, formula, progress);
    }

    // ---- apply ----

    /** The compressed model, built beside the original (see {@link PlanApplier}); the caller closes it. */
    public LoadedModel apply(CompressionPlan plan, Progress progress) {
        return PlanApplier.apply(original, shape, plan, factorizer(plan, progress));
    }

    /**
     * Writes the compressed model as a Hugging Face folder (see {@link ModelExporter}), factorising
     * from this workspace's cache, so an export after a rank slider's last move factorises nothing.
     */
    public ModelExporter.Result export(CompressionPlan plan, java.nio.file.Path out, ExportOptions exportOptions,
            Progress progress) {
        return ModelExporter.export(original, factorizer(plan, progress), plan, out, exportOptions, progress);
    }

    /**
     * The factorisations {@code plan} asks for, from the cache: a merged layer's matrix is factorised on
     * its merged weight with the bottom layer's calibration statistics (and cached under its group).
     */
    public PlanApplier.Factorizer factorizer(CompressionPlan plan, Progress progress) {
        return (matrix, weight, rank, merged) -> {
            progress.checkCancelled();
            progress.update(Double.NaN, "factorising " + matrix.name() + " at rank " + rank.rank());
            LowRankMethod method = LowRankMethod.fromJson(rank.method());
            Factorization f;
            if (merged) {
                MergeGroup g = plan.mergeOf(matrix.layer());
                f = cache.get(FactorizationCache.Key.of(matrix.name() + "@merge" + g, method, options,
                        calibration.fingerprint()), () -> LowRankFactorizer.factorize(method, weight, matrix.rows(),
                                matrix.cols(), statistics(matrix.name(), progress), options));
            } else {
                f = factorization(matrix.name(), method, progress);
            }
            return f.truncate(rank.rank());
        };
    }

    private LinearWeight linear(String matrix) {
        LinearWeight w = linears.get(matrix);
        if (w == null) {
            throw new IllegalArgumentException("no linear map named '" + matrix + "' in " + original.folder());
        }
        return w;
    }
}
