package org.lvlmworkbench.core.compress.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The five allocations on synthetic spectra: exact budgets, dense exactly when no rank saves, and each rule's own property. */
class RankAllocatorTest {

    static final double[] RATIOS = {0, 0.2, 0.4, 0.6, 0.8};

    /** Decaying spectra with a per-matrix decay and scale; predicted loss = σ²-weighted tails with random weights (as a non-whitened method). */
    static MatrixProfile profile(String name, String component, int layer, String role, int m, int n, Random random) {
        int r = Math.min(m, n);
        double decay = 0.5 + 4 * random.nextDouble();
        double scale = Math.pow(10, random.nextDouble() * 2);
        double[] sigma = new double[r];
        for (int i = 0; i < r; i++) {
            sigma[i] = scale * (Math.exp(-decay * i / r) + 0.02 * random.nextDouble());
        }
        Arrays.sort(sigma);
        for (int i = 0; i < r / 2; i++) {
            double t = sigma[i];
            sigma[i] = sigma[r - 1 - i];
            sigma[r - 1 - i] = t;
        }
        double[] loss = new double[r + 1];
        for (int k = r - 1; k >= 0; k--) {
            loss[k] = loss[k + 1] + sigma[k] * sigma[k] * (0.5 + random.nextDouble());
        }
        return new MatrixProfile(name, component, layer, role, m, n, sigma, loss, Double.NaN);
    }

    /** A small LLaVA: 8 decoder layers (q k v o gate up down), 4 vision layers (q k v o fc1 fc2), the projector. */
    static List<MatrixProfile> smallLlava(long seed) {
        Random random = new Random(seed);
        List<MatrixProfile> out = new ArrayList<>();
        int[][] text = {{96, 96}, {48, 96}, {48, 96}, {96, 96}, {256, 96}, {256, 96}, {96, 256}};
        String[] textRoles = {"q", "k", "v", "o", "gate", "up", "down"};
        for (int l = 0; l < 8; l++) {
            for (int j = 0; j < textRoles.length; j++) {
                out.add(profile("text." + l + "." + textRoles[j], "text", l, textRoles[j], text[j][0], text[j][1], random));
            }
        }
        int[][] vision = {{96, 96}, {96, 96}, {96, 96}, {96, 96}, {192, 96}, {96, 192}};
        String[] visionRoles = {"q", "k", "v", "o", "fc1", "fc2"};
        for (int l = 0; l < 4; l++) {
            for (int j = 0; j < visionRoles.length; j++) {
                out.add(profile("vision." + l + "." + visionRoles[j], "vision", l, visionRoles[j], vision[j][0],
                        vision[j][1], random));
            }
        }
        out.add(profile("projector.linear_1", "projector", -1, "linear_1", 96, 96, random));
        out.add(profile("projector.linear_2", "projector", -1, "linear_2", 96, 96, random));
        // A matrix so thin that no rank but 0 saves anything: 1·(1 + 40) ≥ 40.
        out.add(profile("text.thin", "text", 0, "thin", 1, 40, random));
        return out;
    }

    static void checkBudget(RankAllocation a, List<MatrixProfile> ms, String at) {
        long kept = 0;
        for (int i = 0; i < ms.size(); i++) {
            MatrixProfile p = ms.get(i);
            RankAllocation.Entry e = a.matrices().get(i);
            assertEquals(p.name(), e.name(), at);
            if (e.dense()) {
                assertEquals(p.denseParameters(), e.parameters(), at);
                assertEquals(0, e.predictedLoss(), at);
            } else {
                assertTrue(e.rank() >= 0 && e.rank() <= Math.min(p.rows(), p.cols()), at + " " + e);
                assertEquals((long) e.rank() * (p.rows() + p.cols()), e.parameters(), at);
                assertTrue(e.parameters() < p.denseParameters(), at + ": " + e + " saves nothing, so must be DENSE");
                assertEquals(p.predictedLoss()[e.rank()], e.predictedLoss(), at);
            }
            kept += e.parameters();
        }
        assertEquals(kept, a.keptParameters(), at);
        long total = ms.stream().mapToLong(MatrixProfile::denseParameters).sum();
        assertEquals(total, a.totalParameters(), at);
        assertEquals((long) Math.floor((1 - a.ratio()) * total), a.budget(), at);
        long step = ms.stream().mapToLong(MatrixProfile::rankCost).max().orElseThrow();
        assertEquals(step, a.step(), at);
        assertTrue(kept <= a.budget(), at + ": kept " + kept + " > budget " + a.budget());
        assertTrue(a.budget() - kept < step, at + ": kept " + kept + " is a rank step or more under " + a.budget());
    }

    @Test
    void everyAllocationMeetsTheBudgetWithinOneRankStep() {
        for (long seed = 1; seed <= 3; seed++) {
            List<MatrixProfile> ms = smallLlava(seed);
            for (Allocation allocation : Allocation.values()) {
                for (double r : new double[] {0, 0.2, 0.4, 0.6, 0.8, 0.01, 0.95, 1}) {
                    String at = allocation + " at ratio " + r + " (seed " + seed + ")";
                    RankAllocation a = RankAllocator.allocate(allocation, ms, r);
                    checkBudget(a, ms, at);
                    if (r == 0) {
                        assertTrue(a.matrices().stream().allMatch(RankAllocation.Entry::dense), at + ": all dense");
                    }
                    if (r == 1) {
                        assertTrue(a.matrices().stream().allMatch(e -> e.rank() == 0), at + ": nothing kept");
                    }
                    // The thin matrix: only rank 0 or dense.
                    int thin = a.ranks().get("text.thin");
                    assertTrue(thin == 0 || thin == RankAllocation.DENSE, at + ": thin matrix at " + thin);
                }
            }
        }
    }

    @Test
    void uniformKeepsOneFractionUpToRounding() {
        List<MatrixProfile> ms = smallLlava(7);
        for (double r : RATIOS) {
            if (r == 0) {
                continue;
            }
            RankAllocation a = RankAllocator.allocate(Allocation.UNIFORM, ms, r);
            double rho = a.searched();
            assertTrue(rho > 0 && rho <= 1, "ρ " + rho);
            for (int i = 0; i < ms.size(); i++) {
                MatrixProfile p = ms.get(i);
                RankAllocation.Entry e = a.matrices().get(i);
                long base = (long) Math.floor(rho * p.denseParameters() / p.rankCost());
                if (base > p.breakEvenRank()) {
                    assertTrue(e.dense(), r + " " + e);
                    continue;
                }
                int k = e.dense() ? p.breakEvenRank() + 1 : e.rank();
                assertTrue(k >= base && k <= base + 1, "ratio " + r + ": " + e + " vs ⌊ρ·mn/(m+n)⌋ = " + base);
            }
        }
    }

    @Test
    void energyRetainsNearlyOneFractionOfEveryMatrix() {
        List<MatrixProfile> ms = smallLlava(8);
        double[][] retained = new RankAllocator(ms).retainedEnergy();
        for (double r : new double[] {0.2, 0.4, 0.6}) {
            RankAllocation energy = RankAllocator.allocate(Allocation.ENERGY, ms, r);
            RankAllocation uniform = RankAllocator.allocate(Allocation.UNIFORM, ms, r);
            double tau = energy.searched();
            double[] spreadEnergy = spread(energy, ms, retained);
            double[] spreadUniform = spread(uniform, ms, retained);
            assertTrue(spreadEnergy[0] >= tau - 1e-12, "ratio " + r + ": every factored matrix keeps ≥ τ = " + tau);
            for (int i = 0; i < ms.size(); i++) {
                int k = energy.matrices().get(i).rank();
                if (k == RankAllocation.DENSE) {
                    continue;
                }
                int base = 0;
                while (retained[i][base] < tau) {
                    base++;
                }
                assertTrue(k == base || k == base + 1, "ratio " + r + ": " + energy.matrices().get(i)
                        + ", the smallest rank reaching τ is " + base);
            }
            assertTrue(spreadEnergy[1] - spreadEnergy[0] < 0.5 * (spreadUniform[1] - spreadUniform[0]),
                    "ratio " + r + ": energy " + Arrays.toString(spreadEnergy) + " vs uniform " + Arrays.toString(spreadUniform));
        }
    }

    /** {min, max} of the retained energy over the matrices stored factored at a positive rank. */
    private static double[] spread(RankAllocation a, List<MatrixProfile> ms, double[][] retained) {
        double min = 1;
        double max = 0;
        for (int i = 0; i < ms.size(); i++) {
            int k = a.matrices().get(i).rank();
            if (k > 0) {
                min = Math.min(min, retained[i][k]);
                max = Math.max(max, retained[i][k]);
            }
        }
        return new double[] {min, max};
    }

    @Test
    void lossGivesMoreRankToTheMatricesThatLoseMoreWithinARole() {
        List<MatrixProfile> ms = smallLlava(9);
        RankAllocation a = RankAllocator.allocate(Allocation.LOSS, ms, 0.4);
        Map<String, Integer> ranks = a.ranks();
        // Among the text q matrices (one shape), the largest loss at the uniform rank keeps at least the smallest's rank.
        List<MatrixProfile> q = ms.stream().filter(p -> p.component().equals("text") && p.role().equals("q")).toList();
        int uniform = (int) Math.floor(0.6 * 96 * 96 / 192.0);
        MatrixProfile worst = q.stream().max((x, y) -> Double.compare(x.predictedLoss()[uniform], y.predictedLoss()[uniform]))
                .orElseThrow();
        MatrixProfile best = q.stream().min((x, y) -> Double.compare(x.predictedLoss()[uniform], y.predictedLoss()[uniform]))
                .orElseThrow();
        assertTrue(rank(ranks, worst) > rank(ranks, best), worst.name() + " " + rank(ranks, worst) + " vs " + best.name()
                + " " + rank(ranks, best));
        // Not simply uniform.
        assertTrue(q.stream().map(p -> ranks.get(p.name())).distinct().count() > 2, "ranks " + ranks);
    }

    private static int rank(Map<String, Integer> ranks, MatrixProfile p) {
        int k = ranks.get(p.name());
        return k == RankAllocation.DENSE ? Integer.MAX_VALUE : k;
    }

    @Test
    void erankGivesRanksInProportionToEffectiveRank() {
        assertEquals(5, RankAllocator.effectiveRank(new double[] {2, 2, 2, 2, 2, 0, 0}), 1e-12);
        assertEquals(1, RankAllocator.effectiveRank(new double[] {3, 0, 0}), 1e-12);
        assertEquals(0, RankAllocator.effectiveRank(new double[] {0, 0}), 0);
        // Same shapes, flat spectra of different lengths: eRank 10, 20, 40.
        List<MatrixProfile> ms = new ArrayList<>();
        for (int e : new int[] {10, 20, 40}) {
            double[] sigma = new double[128];
            Arrays.fill(sigma, 0, e, 1.0);
            double[] loss = new double[129];
            for (int k = 127; k >= 0; k--) {
                loss[k] = loss[k + 1] + sigma[k] * sigma[k];
            }
            ms.add(new MatrixProfile("m" + e, "text", e, "q", 128, 128, sigma, loss, Double.NaN));
        }
        RankAllocation a = RankAllocator.allocate(Allocation.ERANK, ms, 0.75);
        checkBudget(a, ms, "erank");
        // Budget 3·128²/4 = 12288 = 48 ranks of 256: t·(10 + 20 + 40) ≈ 48.
        double t = a.searched();
        int[] k = a.matrices().stream().mapToInt(RankAllocation.Entry::rank).toArray();
        assertEquals(Math.floor(10 * t), k[0], 1.0);
        assertEquals(Math.floor(20 * t), k[1], 1.0);
        assertEquals(Math.floor(40 * t), k[2], 1.0);
        assertTrue(k[2] > k[1] && k[1] > k[0]);
        // A cap: at a mild ratio the water level passes the flattest matrix's break-even rank.
        RankAllocation mild = RankAllocator.allocate(Allocation.ERANK, ms, 0.1);
        checkBudget(mild, ms, "erank mild");
        assertTrue(mild.matrices().get(2).dense(), "the highest-eRank matrix is dense first: " + mild.matrices());
    }

    @Test
    void dipFollowsTheReferenceDirectionAndNeedsAllSensitivitiesOrNone() {
        // Every decoder layer alike (same spectra per role), so only the sensitivity tells them apart.
        List<MatrixProfile> ms = new ArrayList<>();
        String[] roles = {"q", "k", "v", "o", "gate", "up", "down"};
        int[][] shapes = {{96, 96}, {48, 96}, {48, 96}, {96, 96}, {256, 96}, {256, 96}, {96, 256}};
        for (int l = 0; l < 8; l++) {
            Random random = new Random(12);
            for (int j = 0; j < roles.length; j++) {
                // Text layer 5 is far more sensitive than layer 4, the other layer of its depth quarter.
                double s = l == 5 ? 10 : 1;
                ms.add(profile("text." + l + "." + roles[j], "text", l, roles[j], shapes[j][0], shapes[j][1], random)
                        .withSensitivity(s));
            }
        }
        RankAllocation a = RankAllocator.allocate(Allocation.DIP, ms, 0.4);
        checkBudget(a, ms, "dip");
        Map<String, Integer> ranks = a.ranks();
        // DipSVD inverts sensitivity (1/s, normalised per quarter): the more sensitive layer keeps less,
        // its quarter-mate the most, as the reference code does.
        for (String role : roles) {
            int five = rank(ranks, ms.get(5 * 7 + java.util.List.of(roles).indexOf(role)));
            int four = rank(ranks, ms.get(4 * 7 + java.util.List.of(roles).indexOf(role)));
            int zero = rank(ranks, ms.get(java.util.List.of(roles).indexOf(role)));
            assertTrue(five < zero && zero < four, role + ": layer 5 " + five + ", layer 0 " + zero + ", layer 4 " + four);
        }
        List<MatrixProfile> base = smallLlava(10);
        List<MatrixProfile> mixed = new ArrayList<>(base);
        mixed.set(0, base.get(0).withSensitivity(1));
        assertThrows(IllegalArgumentException.class, () -> RankAllocator.allocate(Allocation.DIP, mixed, 0.4));
        // No sensitivity: the predicted-loss stand-in, still on budget.
        checkBudget(RankAllocator.allocate(Allocation.DIP, base, 0.4), base, "dip without sensitivity");
    }

    @Test
    void normaliseToSumMatchesTheReference() {
        double[] a = {0.55, 0.8, 1.05, 0.6};
        RankAllocator.normaliseToSum(a, 0.8 * 4, 0.3, 0.98);
        assertEquals(3.2, Arrays.stream(a).sum(), 1e-5);
        for (double v : a) {
            assertTrue(v >= 0.3 && v <= 0.98, Arrays.toString(a));
        }
    }

    @Test
    void refusesBadInput() {
        List<MatrixProfile> ms = smallLlava(11);
        assertThrows(IllegalArgumentException.class, () -> RankAllocator.allocate(Allocation.UNIFORM, ms, 1.2));
        assertThrows(IllegalArgumentException.class, () -> RankAllocator.allocate(Allocation.UNIFORM, List.of(), 0.2));
        List<MatrixProfile> twice = new ArrayList<>(ms);
        twice.add(ms.get(0));
        assertThrows(IllegalArgumentException.class, () -> RankAllocator.allocate(Allocation.UNIFORM, twice, 0.2));
        assertEquals(Allocation.ERANK, Allocation.fromJson("erank"));
    }
}
