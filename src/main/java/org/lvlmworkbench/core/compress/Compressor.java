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
import org.lvlmworkbench.core.compress.lowrank.SocoSelection;
import org.lvlmworkbench.core.compress.lowrank.SocoSettings;
import org.lvlmworkbench.core.compress.plan.Calibration;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.compress.plan.SocoTarget;
import org.lvlmworkbench.core.compress.soco.SocoRun;
import org.lvlmworkbench.core.compress.soco.SocoTrainer;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.compress.tokens.AdaptiveMass;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

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
 * <p>SoCo ({@link #soco}) is the one low-rank method that trains: its factorisations depend on the
 * whole scope, the rest of the plan, the target ratio and the settings, and are cached under all of
 * them (the finished trainings too, a few of them, so evicted factorisations are rebuilt without
 * training again).
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
    private final Map<Integer, List<float[]>> imageTokenScores = new java.util.HashMap<>();
    /** Finished SoCo trainings by key, the most recently used last; a few are kept. */
    private final Map<String, SocoRun> socoRuns = new LinkedHashMap<>(8, 0.75f, true);
    private static final int SOCO_RUNS_KEPT = 4;

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
            Factorization f = cachedFor(plan, e.getKey(), e.getValue());
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
            Factorization f = cachedFor(plan, e.getKey(), e.getValue());
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

    /**
     * The attention mass at which an adaptive pruning stage at {@code layer} removes {@code removedShare}
     * of the image tokens on average over the calibration items (see {@link AdaptiveMass}); the
     * calibration items' scores are computed once per layer.
     */
    public AdaptiveMass.Fit adaptiveMass(int layer, double removedShare, int minKeep, Progress progress) {
        AdaptiveMass.checkShare(removedShare); // before the calibration items run
        List<float[]> scores;
        synchronized (imageTokenScores) {
            scores = imageTokenScores.get(layer);
        }
        if (scores == null) {
            scores = AdaptiveMass.scores(original, calibrationItems, layer, progress);
            synchronized (imageTokenScores) {
                imageTokenScores.put(layer, scores);
            }
        }
        return AdaptiveMass.fit(scores, removedShare, minKeep);
    }

    /** SLM's sliding-window merge search on top of {@code plan} (see {@link SlidingWindowMerge}). */
    public SlidingWindowMerge.Result slidingWindowMerge(CompressionPlan plan, double threshold, TokenSelection selection,
            MergeFormula formula, Progress progress) {
        return SlidingWindowMerge.search(original, plan, calibrationItems, threshold, selection, formula, progress);
    }

    // ---- apply ----

    /**
     * The compressed model, built beside the original (see {@link PlanApplier}); the caller closes it. A
     * plan with SoCo ranks whose training is not cached here trains it first (see {@link SocoTarget}).
     */
    public LoadedModel apply(CompressionPlan plan, Progress progress) {
        if (plan.hasSocoRanks()) {
            plan.validate(shape);
            socoRun(plan, progress);
        }
        return PlanApplier.apply(original, shape, plan, factorizer(plan, progress));
    }

    /**
     * Writes the compressed model as a Hugging Face folder (see {@link ModelExporter}), factorising
     * from this workspace's cache, so an export after a rank slider's last move factorises nothing.
     */
    public ModelExporter.Result export(CompressionPlan plan, java.nio.file.Path out, ExportOptions exportOptions,
            Progress progress) {
        if (plan.hasSocoRanks()) {
            plan.validate(shape);
            socoRun(plan, progress);
        }
        return ModelExporter.export(original, factorizer(plan, progress), plan, out, exportOptions, progress);
    }

    /**
     * As {@link #export(CompressionPlan, java.nio.file.Path, ExportOptions, Progress)}, with a report
     * ({@code report.html} and its charts as PNG and SVG, see {@link ReportRequest}) written into the
     * folder before it is moved into place.
     */
    public ModelExporter.Result export(CompressionPlan plan, java.nio.file.Path out, ExportOptions exportOptions,
            ReportRequest report, Progress progress) {
        if (plan.hasSocoRanks()) {
            plan.validate(shape);
            socoRun(plan, progress);
        }
        ModelExporter.checkBeforeWork(original, plan, out, exportOptions);
        Map<String, byte[]> files = CompressionReports.files(this, plan, report, progress);
        return ModelExporter.export(original, factorizer(plan, progress), plan, out, exportOptions, files, progress);
    }

    /** The report's files alone (see {@link ReportRequest}), named relative to the folder they belong in. */
    public Map<String, byte[]> report(CompressionPlan plan, ReportRequest report, Progress progress) {
        return CompressionReports.files(this, plan, report, progress);
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
            if (method == LowRankMethod.SOCO) {
                f = socoFactorization(plan, matrix.name(), progress);
            } else if (merged) {
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

    // ---- SoCo ----

    /** A plan with SoCo ranks, and the training that chose them. */
    public record SocoPlan(CompressionPlan plan, SocoRun run) {
    }

    /**
     * {@code plan} with every matrix of {@code scope} (decoder maps only) factorised by SoCo so that the
     * scope's parameters shrink by {@code ratio}: the scores of each matrix's SVD-LLM components are trained
     * on the calibration items ({@link SocoTrainer}) on the model the rest of the plan makes (its depth
     * changes and other ranks; not its visual-token pruning), the components are kept by learned score
     * within the budget ({@link SocoSelection}), and each matrix's rank is how many it keeps. Trained once
     * per (calibration, rest of the plan, scope, ratio, settings), then from the cache.
     */
    public SocoPlan soco(CompressionPlan plan, double ratio, Predicate<ModelShape.Matrix> scope, SocoSettings settings,
            Progress progress) {
        List<String> names = shape.matrices().values().stream().filter(scope).map(ModelShape.Matrix::name).toList();
        if (names.isEmpty()) {
            throw new IllegalArgumentException("SoCo: the scope holds no matrix");
        }
        SocoTarget target = new SocoTarget(ratio, settings);
        CompressionPlan rest = plan;
        for (Map.Entry<String, MatrixRank> e : plan.ranks().entrySet()) {
            if (names.contains(e.getKey()) || e.getValue().method().equals(LowRankMethod.SOCO.jsonName())) {
                rest = rest.withoutRank(e.getKey());
            }
        }
        SocoRun run = socoRun(socoBase(rest), names, target, progress);
        CompressionPlan out = rest.withSoco(target);
        for (String name : names) {
            out = out.withRank(name, new MatrixRank(run.ranks().get(name), LowRankMethod.SOCO.jsonName()));
        }
        out.validate(shape);
        return new SocoPlan(out, run);
    }

    /** The training behind {@code plan}'s SoCo ranks: cached, or trained now. */
    public SocoRun socoRun(CompressionPlan plan, Progress progress) {
        if (!plan.hasSocoRanks() || plan.soco() == null) {
            throw new IllegalArgumentException("the plan has no SoCo ranks with their training settings");
        }
        return socoRun(socoBase(plan), socoScope(plan), plan.soco(), progress);
    }

    /** The plan SoCo's scores are trained on: {@code plan} less its SoCo ranks and settings, its visual-token pruning, its calibration. */
    private static CompressionPlan socoBase(CompressionPlan plan) {
        CompressionPlan base = plan.withSoco(null).withTokenPruning(VisualTokenPruning.NONE).withCalibration(null);
        for (Map.Entry<String, MatrixRank> e : plan.ranks().entrySet()) {
            if (e.getValue().method().equals(LowRankMethod.SOCO.jsonName())) {
                base = base.withoutRank(e.getKey());
            }
        }
        return base;
    }

    private List<String> socoScope(CompressionPlan plan) {
        List<String> names = new ArrayList<>();
        for (ModelShape.Matrix m : shape.matrices().values()) {
            MatrixRank r = plan.ranks().get(m.name());
            if (r != null && r.method().equals(LowRankMethod.SOCO.jsonName())) {
                names.add(m.name());
            }
        }
        return names;
    }

    private static String socoKey(CompressionPlan base, List<String> scope, SocoTarget target) {
        return "soco(" + target.settings().describe() + ",ratio=" + target.ratio() + ",scope=" + digest(String.join("\n", scope))
                + ",base=" + digest(base.toJsonString()) + ")";
    }

    private static String digest(String text) {
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(
                    text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(h, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private SocoRun socoRun(CompressionPlan base, List<String> scope, SocoTarget target, Progress progress) {
        String key = socoKey(base, scope, target);
        SocoRun run;
        synchronized (socoRuns) {
            run = socoRuns.get(key);
        }
        if (run == null) {
            run = trainSoco(base, scope, target, key, progress);
            synchronized (socoRuns) {
                socoRuns.put(key, run);
                while (socoRuns.size() > SOCO_RUNS_KEPT) {
                    socoRuns.remove(socoRuns.keySet().iterator().next());
                }
            }
        }
        return run;
    }

    private SocoRun trainSoco(CompressionPlan base, List<String> scope, SocoTarget target, String key, Progress progress) {
        int layers = shape.decoderLayers();
        int[] surviving = base.survivingLayers(layers);
        CompressionPlan training = base;
        List<SocoTrainer.Scoped> scoped = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < scope.size(); i++) {
            ModelShape.Matrix m = shape.matrices().get(scope.get(i));
            if (!m.component().equals("text")) {
                throw new IllegalArgumentException("SoCo scores decoder maps only (gradients reach no further back): "
                        + m.name() + " is in the " + m.component() + " component");
            }
            MergeGroup g = base.mergeOf(m.layer());
            if (g != null && g.first() != g.last()) {
                throw new IllegalArgumentException("SoCo does not score the merged layer " + g + " (" + m.name() + ")");
            }
            int newLayer = java.util.Arrays.binarySearch(surviving, m.layer());
            if (newLayer < 0) {
                throw new IllegalArgumentException(m.name() + ": layer " + m.layer() + " is removed by the plan");
            }
            Factorization f = factorization(m.name(), LowRankMethod.SVD_LLM,
                    progress.slice(0.1 * i / scope.size(), 0.1 * (i + 1) / scope.size()));
            scoped.add(new SocoTrainer.Scoped(m.name(), m.name().replaceFirst("\\blayers\\." + m.layer() + "\\.",
                    "layers." + newLayer + "."), f));
            training = training.withRank(m.name(), new MatrixRank(f.maxRank(), LowRankMethod.SVD_LLM.jsonName()));
            total += m.denseParameters();
        }
        long budget = (long) Math.floor((1 - target.ratio()) * total);
        progress.update(0.1, "building the SoCo training model (" + scope.size() + " matrices at full rank)");
        try (LoadedModel model = PlanApplier.apply(original, shape, training, factorizer(training, progress), true);
                SocoTrainer trainer = SocoTrainer.open(model, scoped, calibrationItems)) {
            SocoTrainer.Result r = trainer.train(budget, target.settings(), progress.slice(0.1, 0.95));
            SocoSelection.Result selection = r.selection();
            if (selection == null) {
                List<SocoSelection.Matrix> ms = new ArrayList<>();
                for (SocoTrainer.Scoped s : scoped) {
                    ms.add(new SocoSelection.Matrix(s.name(), s.base().rows(), s.base().cols(), r.scores().get(s.name())));
                }
                selection = SocoSelection.select(ms, budget);
            }
            Map<String, double[]> scores = new LinkedHashMap<>();
            Map<String, boolean[]> kept = new LinkedHashMap<>();
            Map<String, Integer> ranks = new LinkedHashMap<>();
            Map<String, double[]> sigmaOrder = new LinkedHashMap<>();
            for (int j = 0; j < scoped.size(); j++) {
                String name = scoped.get(j).name();
                boolean[] k = selection.kept().get(j);
                double[] s = r.scores().get(name).clone();
                double[] sigma = new double[s.length];
                for (int i = 0; i < s.length; i++) {
                    s[i] = k[i] ? s[i] : 0;
                    sigma[i] = i < selection.ranks()[j] ? 1 : 0;
                }
                scores.put(name, s);
                kept.put(name, k);
                ranks.put(name, selection.ranks()[j]);
                sigmaOrder.put(name, sigma);
            }
            progress.update(0.97, "measuring the SoCo model's deviation against SVD-LLM's at the same ranks");
            double deviation = trainer.deviation(scores);
            double sigmaDeviation = trainer.deviation(sigmaOrder);
            return new SocoRun(key, target.ratio(), target.settings(), scores, kept, ranks, total, budget,
                    selection.keptParameters(), selection.step(), r.history(), deviation, sigmaDeviation);
        }
    }

    /**
     * The factorisation {@code plan}'s rank of {@code matrix} reads (by its method; SoCo's under the plan's
     * SoCo training, trained if need be); not for merged layers.
     */
    public Factorization factorization(CompressionPlan plan, String matrix, Progress progress) {
        MatrixRank rank = plan.ranks().get(matrix);
        if (rank == null) {
            throw new IllegalArgumentException("the plan does not rank " + matrix);
        }
        LowRankMethod method = LowRankMethod.fromJson(rank.method());
        return method == LowRankMethod.SOCO ? socoFactorization(plan, matrix, progress)
                : factorization(matrix, method, progress);
    }

    /** SoCo's factorisation of {@code matrix} under {@code plan}'s SoCo training (trained if need be). */
    private Factorization socoFactorization(CompressionPlan plan, String matrix, Progress progress) {
        SocoRun run = socoRun(plan, progress);
        return cache.get(new FactorizationCache.Key(matrix, LowRankMethod.SOCO, run.key(), calibration.fingerprint()),
                () -> SocoSelection.factorization(factorization(matrix, LowRankMethod.SVD_LLM, progress),
                        run.scores().get(matrix), run.kept().get(matrix), run.key()));
    }

    /** The factorisation a plan's rank reads, if cached (SoCo's built from a cached training), else null. */
    private Factorization cachedFor(CompressionPlan plan, String matrix, MatrixRank rank) {
        LowRankMethod method = LowRankMethod.fromJson(rank.method());
        if (method != LowRankMethod.SOCO) {
            return cachedFactorization(matrix, method);
        }
        if (plan.soco() == null) {
            return null;
        }
        String key = socoKey(socoBase(plan), socoScope(plan), plan.soco());
        Factorization f = cache.peek(new FactorizationCache.Key(matrix, LowRankMethod.SOCO, key, calibration.fingerprint()));
        if (f != null) {
            return f;
        }
        SocoRun run;
        synchronized (socoRuns) {
            run = socoRuns.get(key);
        }
        Factorization base = cachedFactorization(matrix, LowRankMethod.SVD_LLM);
        if (run == null || base == null || !run.scores().containsKey(matrix)) {
            return null;
        }
        return cache.get(new FactorizationCache.Key(matrix, LowRankMethod.SOCO, key, calibration.fingerprint()),
                () -> SocoSelection.factorization(base, run.scores().get(matrix), run.kept().get(matrix), key));
    }

    private LinearWeight linear(String matrix) {
        LinearWeight w = linears.get(matrix);
        if (w == null) {
            throw new IllegalArgumentException("no linear map named '" + matrix + "' in " + original.folder());
        }
        return w;
    }
}
