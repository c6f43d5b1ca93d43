package org.lvlmworkbench.core.compress.lowrank;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.DoubleFunction;

/**
 * Shares a parameter budget among a set of matrices: a rank per matrix, or dense, such that the set
 * keeps at most {@code ⌊(1 − ratio)·Σ m·n⌋} parameters and less than one rank step
 * ({@code max(m + n)}) fewer. A matrix stored factored at rank {@code k} costs {@code k·(m + n)},
 * dense {@code m·n}; a rank with {@code k·(m + n) ≥ m·n} saves nothing, so such a matrix is dense.
 *
 * <p>Each allocation makes a first guess by its own rule, then the one shared exact-fit step
 * ({@link BudgetFit}) trims or fills rank steps to the budget. Works on the factorisations' curves
 * only ({@link MatrixProfile}): no weights, no factorising. An instance reads the profiles once
 * (energy tails, effective ranks) and then allocates any ratio in milliseconds for hundreds of
 * matrices, for a slider; {@link #allocate(Allocation, List, double)} is the one-shot form.
 *
 * <ul>
 * <li>{@code uniform}: {@code k = ⌊ρ·mn/(m + n)⌋} for every matrix (SVD-LLM's
 *     {@code num_s_after_trunc}), the largest {@code ρ ∈ [0, 1]} within the budget found by
 *     bisection; the remainder filled by the largest {@code σ²} gain per parameter, at most one
 *     rank per matrix (so every rank is {@code ⌊ρ·mn/(m + n)⌋} or one more).</li>
 * <li>{@code energy}: for a threshold {@code τ}, each matrix takes the smallest rank keeping
 *     {@code Σ_{i≤k} σ_i² ≥ τ·Σσ²}; the largest {@code τ} within the budget by bisection; the
 *     remainder by the largest retained-energy fraction gain per parameter, at most one rank per
 *     matrix.</li>
 * <li>{@code loss}: SVD-LLM V2's Algorithm 1 (arXiv 2503.12340): matrices grouped by component and
 *     role; {@code L_i = ‖C − C_k‖_F = sqrt(predictedLoss[k_R])} at the uniform rank of the target
 *     ratio {@code R}; {@code L ← 1/log L}; {@code ratio_i = len(G)·R·L_i/Σ_G L} removed,
 *     {@code k_i = ⌊(1 − ratio_i)·mn/(m + n)⌋}. {@code 1/log L} needs every {@code L > 1} and is not
 *     scale-free; where a group's smallest {@code L} is {@code ≤ 1} (small models, few tokens), the
 *     group's losses are first scaled so that the smallest is {@code e} (our guard, not the paper's),
 *     and a zero loss is floored at {@code 10⁻¹²} of the group's largest. Remainder by predicted-loss
 *     gain per parameter.</li>
 * <li>{@code erank}: D-Rank (arXiv 2509.25622). Effective rank as the paper defines it,
 *     Roy–Vetterli's {@code exp(−Σ p_i log p_i)} over {@code p_i = σ_i²/Σσ²} (squared values; the
 *     project's {@code MatrixSpectrum.effectiveRankRoyVetterli} normalises {@code σ_i/Σσ} instead, and
 *     is not used here). Implemented: maximise {@code Σ_i (m_i + n_i)·e_i·log k_i} subject to
 *     {@code Σ_i k_i·(m_i + n_i) ≤ budget} and the caps {@code k_i ≤ kb_i} (beyond it the matrix is
 *     dense); the Lagrange condition {@code e_i/k_i = λ} gives {@code k_i = min(cap_i, t·e_i)},
 *     {@code t = 1/λ}: ranks in proportion to effective rank, water-filled, {@code t} found by
 *     bisection. The paper's own closed form, its layer grouping (Basis Sharing groups) and its
 *     Q/K → V rebalancing are UNVERIFIED (not in the stored sources) and not implemented. Remainder by
 *     predicted-loss gain per parameter.</li>
 * <li>{@code dip}: DipSVD's heuristic global protection ({@code 920927/DipSVD
 *     dx_heuristic-checkpoint.py}), per layer (component and index): sensitivity {@code s} split into
 *     depth quarters, each normalised to sum 1, inverted ({@code 1/s}); effective rank {@code e}
 *     z-scored and negated ({@code (mean − e)/std}); each min–max normalised
 *     ({@code (x − min + 10⁻⁵)/(max − min)}), {@code w = s̃^β·ẽ^{1−β}} (β = 0.3), min–max mapped onto
 *     {@code keep ± 0.25}, rescaled towards {@code Σ = L·keep} with clipping to {@code [0.3, 0.98]}
 *     (25 rounds, then the code's proportional fix clipped to [0, 1]); every matrix of a layer gets
 *     {@code k = ⌊keep_layer·mn/(m + n)⌋}. As in the code, a more sensitive layer, or one of higher
 *     effective rank, keeps less. Stand-ins where the paper measures the model: without a given
 *     sensitivity, a layer's is the sum of its matrices' predicted loss at the target's uniform rank;
 *     the effective rank is, for want of the block's output hidden states, the mean over the layer's
 *     matrices of the fraction of singular values reaching 95 % of {@code Σσ} (the code's threshold
 *     on {@code cumsum(σ)/Σσ}). Remainder by predicted-loss gain per parameter.</li>
 * </ul>
 */
public final class RankAllocator {

    /**
     * DipSVD's constants.
     *
     * @param beta    exponent of the sensitivity term (0.3)
     * @param spread  half-width of the keep range around the target (0.25)
     * @param minKeep lower clip of a layer's keep fraction (0.3)
     * @param maxKeep upper clip (0.98)
     * @param energy  cumulative {@code σ} fraction defining the effective rank (0.95)
     */
    public record DipSettings(double beta, double spread, double minKeep, double maxKeep, double energy) {

        public static final DipSettings DEFAULTS = new DipSettings(0.3, 0.25, 0.3, 0.98, 0.95);

        public DipSettings {
            if (!(beta >= 0 && beta <= 1) || !(spread >= 0) || !(minKeep >= 0 && minKeep <= maxKeep && maxKeep <= 1)
                    || !(energy > 0 && energy <= 1)) {
                throw new IllegalArgumentException("DipSVD settings out of range: " + this);
            }
        }
    }

    private static final int BISECTIONS = 64;

    private final List<MatrixProfile> ms;
    private final long total;
    private final long step;
    /** Per matrix {@code Σ_{i>k} σ_i²}. */
    private final double[][] tail;
    /** Per matrix {@code Σ_{i>k} σ_i² / Σσ²} (all 0 for a zero matrix); retained energy is {@code 1 −} it. */
    private final double[][] tailFraction;
    private final double[][] losses;
    private final double[] erank;
    private final double[] keepRatio;
    /** Per matrix the {@code σ}-rank fraction at DipSVD's default energy, reused while the setting is that. */
    private final double[] defaultSigmaRank;

    /** Reads {@code matrices} once (names unique, at least one). */
    public RankAllocator(List<MatrixProfile> matrices) {
        if (matrices.isEmpty()) {
            throw new IllegalArgumentException("no matrices to allocate ranks to");
        }
        Set<String> names = new HashSet<>();
        long sum = 0;
        long widest = 0;
        for (MatrixProfile p : matrices) {
            if (!names.add(p.name())) {
                throw new IllegalArgumentException("matrix " + p.name() + " is listed twice");
            }
            sum = Math.addExact(sum, p.denseParameters());
            widest = Math.max(widest, p.rankCost());
        }
        this.ms = List.copyOf(matrices);
        this.total = sum;
        this.step = widest;
        int count = ms.size();
        tail = new double[count][];
        tailFraction = new double[count][];
        losses = new double[count][];
        erank = new double[count];
        keepRatio = new double[count];
        for (int i = 0; i < count; i++) {
            MatrixProfile p = ms.get(i);
            double[] sigma = p.singularValues();
            double[] t = new double[sigma.length + 1];
            for (int k = sigma.length - 1; k >= 0; k--) {
                t[k] = t[k + 1] + sigma[k] * sigma[k];
            }
            double[] f = new double[t.length];
            if (t[0] > 0) {
                for (int k = 0; k < t.length; k++) {
                    f[k] = t[k] / t[0];
                }
            }
            tail[i] = t;
            tailFraction[i] = f;
            losses[i] = p.predictedLoss();
            erank[i] = effectiveRank(sigma);
            keepRatio[i] = (double) p.denseParameters() / p.rankCost();
        }
        defaultSigmaRank = sigmaRanks(DipSettings.DEFAULTS.energy());
    }

    /** Per matrix, the fraction of its singular values reaching {@code energy} of {@code Σσ}. */
    private double[] sigmaRanks(double energy) {
        double[] out = new double[ms.size()];
        for (int i = 0; i < out.length; i++) {
            double[] sigma = ms.get(i).singularValues();
            out[i] = (double) sigmaRank(sigma, energy) / sigma.length;
        }
        return out;
    }

    /** One-shot {@link #allocate(Allocation, double, DipSettings)} with DipSVD's default constants. */
    public static RankAllocation allocate(Allocation allocation, List<MatrixProfile> matrices, double ratio) {
        return new RankAllocator(matrices).allocate(allocation, ratio, DipSettings.DEFAULTS);
    }

    public RankAllocation allocate(Allocation allocation, double ratio) {
        return allocate(allocation, ratio, DipSettings.DEFAULTS);
    }

    /**
     * Ranks removing {@code ratio} (in [0, 1]) of the matrices' parameters.
     *
     * @param dip used by {@link Allocation#DIP} only
     */
    public RankAllocation allocate(Allocation allocation, double ratio, DipSettings dip) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException("parameter ratio " + ratio + " is outside [0, 1]");
        }
        long budget = (long) Math.floor((1 - ratio) * total);
        budget = Math.max(0, Math.min(total, budget));
        int[] states;
        double searched = Double.NaN;
        double[][] curves;
        switch (allocation) {
            case UNIFORM -> {
                DoubleFunction<int[]> rule = rho -> {
                    int[] s = new int[ms.size()];
                    for (int i = 0; i < s.length; i++) {
                        s[i] = BudgetFit.state(ms.get(i), (long) Math.floor(rho * keepRatio[i]));
                    }
                    return s;
                };
                searched = largestWithin(rule, 1, budget);
                states = rule.apply(searched);
                curves = tail;
            }
            case ENERGY -> {
                DoubleFunction<int[]> rule = tau -> {
                    int[] s = new int[ms.size()];
                    for (int i = 0; i < s.length; i++) {
                        s[i] = BudgetFit.state(ms.get(i), smallestReaching(tailFraction[i], tau));
                    }
                    return s;
                };
                searched = largestWithin(rule, 1, budget);
                states = rule.apply(searched);
                curves = tailFraction;
            }
            case LOSS -> {
                states = lossGuess(ms, ratio);
                curves = losses;
            }
            case ERANK -> {
                double top = 0;
                for (int i = 0; i < ms.size(); i++) {
                    if (erank[i] > 0) {
                        top = Math.max(top, (ms.get(i).breakEvenRank() + 1.0) / erank[i]);
                    }
                }
                DoubleFunction<int[]> rule = t -> {
                    int[] s = new int[ms.size()];
                    for (int i = 0; i < s.length; i++) {
                        s[i] = BudgetFit.state(ms.get(i), (long) Math.floor(t * erank[i]));
                    }
                    return s;
                };
                searched = largestWithin(rule, top, budget);
                states = rule.apply(searched);
                curves = losses;
            }
            case DIP -> {
                states = dipGuess(ms, ratio, dip,
                        dip.energy() == DipSettings.DEFAULTS.energy() ? defaultSigmaRank : sigmaRanks(dip.energy()));
                curves = losses;
            }
            default -> throw new IllegalStateException(allocation.toString());
        }
        boolean searchedRule = allocation == Allocation.UNIFORM || allocation == Allocation.ENERGY;
        BudgetFit.fit(ms, curves, states, budget, searchedRule);
        List<RankAllocation.Entry> entries = new ArrayList<>(ms.size());
        for (int i = 0; i < ms.size(); i++) {
            MatrixProfile p = ms.get(i);
            int s = states[i];
            entries.add(new RankAllocation.Entry(p.name(), s, BudgetFit.cost(p, s),
                    s == RankAllocation.DENSE ? 0 : losses[i][s]));
        }
        return new RankAllocation(allocation, ratio, total, budget, BudgetFit.kept(ms, states), step, searched,
                entries);
    }

    /** The largest {@code x ∈ [0, hi]} whose states (monotone in {@code x}) keep at most {@code budget}. */
    private double largestWithin(DoubleFunction<int[]> rule, double hi, long budget) {
        if (BudgetFit.kept(ms, rule.apply(hi)) <= budget) {
            return hi;
        }
        double lo = 0;
        for (int i = 0; i < BISECTIONS; i++) {
            double mid = 0.5 * (lo + hi);
            if (BudgetFit.kept(ms, rule.apply(mid)) <= budget) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** {@code e[k] = Σ_{i≤k} σ_i² / Σσ²} per matrix (1 at every {@code k} for a zero matrix), as the energy rule reads it. */
    double[][] retainedEnergy() {
        double[][] out = new double[ms.size()][];
        for (int i = 0; i < ms.size(); i++) {
            double[] e = new double[tailFraction[i].length];
            for (int k = 0; k < e.length; k++) {
                e[k] = 1 - tailFraction[i][k];
            }
            out[i] = e;
        }
        return out;
    }

    /** The smallest {@code k} with {@code 1 − tail[k] ≥ tau} ({@code tail} non-increasing, ending at 0). */
    private static int smallestReaching(double[] tailFraction, double tau) {
        int lo = 0;
        int hi = tailFraction.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (1 - tailFraction[mid] >= tau) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    /**
     * Roy–Vetterli effective rank over the squared singular values, {@code exp(−Σ p log p)} with
     * {@code p_i = σ_i²/Σσ²}, as D-Rank defines it; 0 for a zero matrix.
     */
    public static double effectiveRank(double[] singularValues) {
        double total = 0;
        for (double s : singularValues) {
            total += s * s;
        }
        if (total == 0) {
            return 0;
        }
        double entropy = 0;
        for (double s : singularValues) {
            double p = s * s / total;
            if (p > 0) {
                entropy -= p * Math.log(p);
            }
        }
        return Math.exp(entropy);
    }

    /** The uniform rank of keep fraction {@code 1 − ratio}, capped at {@code min(m, n)}. */
    private static int uniformRank(MatrixProfile p, double ratio) {
        long k = (long) Math.floor((1 - ratio) * p.denseParameters() / p.rankCost());
        return (int) Math.min(k, p.singularValues().length);
    }

    private static int[] lossGuess(List<MatrixProfile> ms, double ratio) {
        Map<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < ms.size(); i++) {
            groups.computeIfAbsent(ms.get(i).component() + "/" + ms.get(i).role(), g -> new ArrayList<>()).add(i);
        }
        int[] states = new int[ms.size()];
        for (List<Integer> group : groups.values()) {
            double[] l = new double[group.size()];
            double max = 0;
            for (int g = 0; g < l.length; g++) {
                MatrixProfile p = ms.get(group.get(g));
                l[g] = Math.sqrt(Math.max(0, p.predictedLoss()[uniformRank(p, ratio)]));
                max = Math.max(max, l[g]);
            }
            double[] removed = new double[l.length];
            if (max == 0) {
                java.util.Arrays.fill(removed, ratio);
            } else {
                double min = Double.POSITIVE_INFINITY;
                for (int g = 0; g < l.length; g++) {
                    l[g] = Math.max(l[g], 1e-12 * max);
                    min = Math.min(min, l[g]);
                }
                double scale = min <= 1 ? Math.E / min : 1;
                double sum = 0;
                for (int g = 0; g < l.length; g++) {
                    l[g] = 1 / Math.log(l[g] * scale);
                    sum += l[g];
                }
                for (int g = 0; g < l.length; g++) {
                    removed[g] = l.length * ratio * l[g] / sum;
                }
            }
            for (int g = 0; g < l.length; g++) {
                MatrixProfile p = ms.get(group.get(g));
                double keep = Math.min(1, Math.max(0, 1 - removed[g]));
                states[group.get(g)] = BudgetFit.state(p, (long) Math.floor(keep * p.denseParameters() / p.rankCost()));
            }
        }
        return states;
    }

    private static int[] dipGuess(List<MatrixProfile> ms, double ratio, DipSettings dip, double[] sigmaRank) {
        // Layers, grouped by component and ordered by depth within it.
        Map<String, TreeMap<Integer, List<Integer>>> components = new LinkedHashMap<>();
        for (int i = 0; i < ms.size(); i++) {
            MatrixProfile p = ms.get(i);
            components.computeIfAbsent(p.component(), c -> new TreeMap<>())
                    .computeIfAbsent(p.layer(), l -> new ArrayList<>()).add(i);
        }
        List<List<Integer>> layers = new ArrayList<>();
        List<double[]> sensitivityByComponent = new ArrayList<>();
        boolean anyGiven = ms.stream().anyMatch(MatrixProfile::hasSensitivity);
        boolean allGiven = ms.stream().allMatch(MatrixProfile::hasSensitivity);
        if (anyGiven && !allGiven) {
            throw new IllegalArgumentException("dip allocation: give every matrix its layer's sensitivity, or none");
        }
        for (TreeMap<Integer, List<Integer>> component : components.values()) {
            double[] s = new double[component.size()];
            int j = 0;
            for (List<Integer> layer : component.values()) {
                layers.add(layer);
                s[j++] = layerSensitivity(ms, layer, ratio, allGiven);
            }
            sensitivityByComponent.add(s);
        }
        int count = layers.size();
        // Sensitivity: quarters normalised to sum 1 within each component, then inverted.
        double[] inverse = new double[count];
        int at = 0;
        for (double[] s : sensitivityByComponent) {
            int l = s.length;
            int[] cuts = {0, l / 4, 2 * l / 4, 3 * l / 4, l};
            for (int q = 0; q < 4; q++) {
                double sum = 0;
                for (int i = cuts[q]; i < cuts[q + 1]; i++) {
                    sum += s[i];
                }
                for (int i = cuts[q]; i < cuts[q + 1]; i++) {
                    double normalised = sum > 0 ? s[i] / sum : 1;
                    inverse[at + i] = normalised;
                }
            }
            at += l;
        }
        double smallestPositive = Double.POSITIVE_INFINITY;
        for (double v : inverse) {
            if (v > 0) {
                smallestPositive = Math.min(smallestPositive, v);
            }
        }
        for (int i = 0; i < count; i++) {
            double v = inverse[i] > 0 ? inverse[i] : (smallestPositive < Double.POSITIVE_INFINITY
                    ? 1e-12 * smallestPositive : 1);
            inverse[i] = 1 / v;
        }
        // Effective rank: z-scored and negated.
        double[] erank = new double[count];
        for (int i = 0; i < count; i++) {
            double sum = 0;
            for (int m : layers.get(i)) {
                sum += sigmaRank[m];
            }
            erank[i] = sum / layers.get(i).size();
        }
        double mean = 0;
        for (double e : erank) {
            mean += e;
        }
        mean /= count;
        double var = 0;
        for (double e : erank) {
            var += (e - mean) * (e - mean);
        }
        double std = Math.sqrt(var / count);
        for (int i = 0; i < count; i++) {
            erank[i] = std > 0 ? (mean - erank[i]) / std : 0;
        }
        double[] sNorm = minMaxPlus(inverse);
        double[] eNorm = minMaxPlus(erank);
        double[] w = new double[count];
        for (int i = 0; i < count; i++) {
            w[i] = Math.pow(sNorm[i], dip.beta()) * Math.pow(eNorm[i], 1 - dip.beta());
        }
        double keep = 1 - ratio;
        double wMin = Double.POSITIVE_INFINITY;
        double wMax = Double.NEGATIVE_INFINITY;
        for (double v : w) {
            wMin = Math.min(wMin, v);
            wMax = Math.max(wMax, v);
        }
        double[] keeps = new double[count];
        for (int i = 0; i < count; i++) {
            double unit = wMax > wMin ? (w[i] - wMin) / (wMax - wMin) : 0.5;
            keeps[i] = keep - dip.spread() + 2 * dip.spread() * unit;
        }
        normaliseToSum(keeps, keep * count, dip.minKeep(), dip.maxKeep());
        int[] states = new int[ms.size()];
        for (int i = 0; i < count; i++) {
            for (int m : layers.get(i)) {
                MatrixProfile p = ms.get(m);
                states[m] = BudgetFit.state(p, (long) Math.floor(keeps[i] * p.denseParameters() / p.rankCost()));
            }
        }
        return states;
    }

    /** A layer's given sensitivity (checked equal across it), or the stand-in: its summed predicted loss at the uniform rank. */
    private static double layerSensitivity(List<MatrixProfile> ms, List<Integer> layer, double ratio, boolean given) {
        if (given) {
            double s = ms.get(layer.get(0)).sensitivity();
            for (int m : layer) {
                if (ms.get(m).sensitivity() != s) {
                    throw new IllegalArgumentException("dip allocation: " + ms.get(m).name() + " has sensitivity "
                            + ms.get(m).sensitivity() + ", another matrix of its layer " + s);
                }
            }
            return s;
        }
        double sum = 0;
        for (int m : layer) {
            MatrixProfile p = ms.get(m);
            sum += p.predictedLoss()[uniformRank(p, ratio)];
        }
        return sum;
    }

    /** The smallest {@code k ≥ 1} with {@code Σ_{i≤k} σ_i / Σσ ≥ fraction} (the code's {@code searchsorted + 1}). */
    private static int sigmaRank(double[] sigma, double fraction) {
        double total = 0;
        for (double s : sigma) {
            total += s;
        }
        if (total == 0) {
            return 0;
        }
        double running = 0;
        for (int k = 0; k < sigma.length; k++) {
            running += sigma[k];
            if (running / total >= fraction) {
                return k + 1;
            }
        }
        return sigma.length;
    }

    /** {@code (x − min + 10⁻⁵)/(max − min)} as the reference code; all ones when every value is equal. */
    private static double[] minMaxPlus(double[] x) {
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : x) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = max > min ? (x[i] - min + 1e-5) / (max - min) : 1;
        }
        return out;
    }

    /** The reference code's {@code normalize_array_to_sum}: rescale and clip, 25 rounds, then a proportional fix. */
    static void normaliseToSum(double[] a, double target, double lo, double hi) {
        double sum = sum(a);
        if (sum == 0) {
            java.util.Arrays.fill(a, 0);
            return;
        }
        for (int round = 0; round < 25; round++) {
            sum = sum(a);
            if (Math.abs(sum - target) < 1e-5) {
                break;
            }
            double factor = target / sum;
            for (int i = 0; i < a.length; i++) {
                a[i] = Math.min(hi, Math.max(lo, a[i] * factor));
            }
        }
        sum = sum(a);
        if (Math.abs(sum - target) > 1e-5) {
            double remaining = target - sum;
            for (int i = 0; i < a.length; i++) {
                a[i] = Math.min(1, Math.max(0, a[i] + remaining * a[i] / sum));
            }
        }
    }

    private static double sum(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s;
    }
}
