package org.lvlmworkbench.core.model.pruning;

import java.util.Arrays;

/**
 * The selection rules of visual-token pruning as pure functions on plain arrays: given one score per
 * image token (or one feature vector per image token), which tokens stay. Every rule returns the
 * kept indices (into the arrays it was given) in ascending order, so the kept tokens keep their
 * order in the sequence. Ties are broken towards the lower index, so a selection never depends on
 * the sort's stability or the platform.
 */
public final class TokenSelection {

    /**
     * Slack below the exact product in {@link #keepCount}: {@code (1 − 0.3) · 10} is
     * {@code 7.000000000000001} in doubles, whose ceiling would keep one token too many.
     */
    private static final double COUNT_SLACK = 1e-9;

    private TokenSelection() {
    }

    /**
     * {@code ⌈fraction · n⌉}, the number of tokens a rule that keeps {@code fraction} of {@code n}
     * keeps, clamped to {@code 0..n}. The ceiling is taken after removing {@value #COUNT_SLACK} so that
     * products which are integers in exact arithmetic are not rounded up by a last-bit error.
     */
    public static int keepCount(double fraction, int n) {
        if (!(fraction >= 0 && fraction <= 1)) {
            throw new IllegalArgumentException("the fraction kept must be in [0, 1], found " + fraction);
        }
        if (n < 0) {
            throw new IllegalArgumentException("the token count must not be negative, found " + n);
        }
        int k = (int) Math.ceil(fraction * n - COUNT_SLACK);
        return Math.max(0, Math.min(n, k));
    }

    /**
     * The {@code k} highest scores (FastV's {@code topk}), ascending by index; among equal scores the
     * lower index wins. NaN scores rank below every number.
     */
    public static int[] topK(float[] scores, int k) {
        int n = scores.length;
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("cannot keep " + k + " of " + n + " tokens");
        }
        Integer[] order = byScoreDescending(scores);
        int[] kept = new int[k];
        for (int i = 0; i < k; i++) {
            kept[i] = order[i];
        }
        Arrays.sort(kept);
        return kept;
    }

    /**
     * The smallest set of tokens that holds at least {@code mass} of the scores' total, taking tokens
     * from the highest score down (ties: lower index first), then topped up in the same order to at
     * least {@code min(minKeep, n)} tokens. Formally, with {@code s} sorted descending and
     * {@code S = Σ s}: keep the first {@code max(min(minKeep, n), m)} tokens, where {@code m} is the
     * smallest count with {@code s₁ + … + s_m ≥ mass · S} (sums in double precision; when rounding
     * leaves every prefix short, {@code m = n}).
     *
     * <p>This is ATP-LLaVA's per-instance threshold without its trained MLP: the cut-off score is
     * the score of the {@code m}-th token, which depends on this instance's own distribution — a
     * peaked attention keeps few tokens, a flat one many. Negative and NaN scores count as zero; an
     * all-zero score vector carries no preference, and every token is kept.
     *
     * @param mass    fraction of the total score to cover, in {@code (0, 1]}
     * @param minKeep floor on the count, at least 1
     */
    public static int[] massCover(float[] scores, double mass, int minKeep) {
        if (!(mass > 0 && mass <= 1)) {
            throw new IllegalArgumentException("the mass covered must be in (0, 1], found " + mass);
        }
        if (minKeep < 1) {
            throw new IllegalArgumentException("the floor on the count must be at least 1, found " + minKeep);
        }
        int n = scores.length;
        double total = 0;
        for (float s : scores) {
            total += clean(s);
        }
        if (!(total > 0)) {
            return identity(n);
        }
        Integer[] order = byScoreDescending(scores);
        double target = mass * total;
        double sum = 0;
        int m = n;
        for (int i = 0; i < n; i++) {
            sum += clean(scores[order[i]]);
            if (sum >= target) {
                m = i + 1;
                break;
            }
        }
        int count = Math.max(Math.min(minKeep, n), m);
        int[] kept = new int[count];
        for (int i = 0; i < count; i++) {
            kept[i] = order[i];
        }
        Arrays.sort(kept);
        return kept;
    }

    /**
     * Greedy max-min diversity (DivPrune, as ModelTC/llmc {@code token_reduction/divprune.py}) over
     * cosine distances {@code D[i][j] = 1 − cos(f_i, f_j)}: the first pick is the token whose
     * second-smallest distance to all tokens (the smallest being its distance 0 to itself) is
     * largest; every next pick is {@code argmax_j min_{s ∈ S} D[s][j]} over the tokens not yet picked.
     * Ties go to the lower index. Unlike llmc, a token already picked is never picked again (llmc can
     * re-pick one when several tokens are exact duplicates and every remaining distance is 0).
     *
     * @param features one vector per token, all the same length; a zero vector has cosine 0 with
     *                 every other (distance 1), and 0 distance to itself
     * @param k        how many to keep, {@code 0..n}
     */
    public static int[] maxMinDiversity(float[][] features, int k) {
        int n = features.length;
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("cannot keep " + k + " of " + n + " tokens");
        }
        if (k == 0) {
            return new int[0];
        }
        double[][] d = cosineDistances(features);
        boolean[] picked = new boolean[n];
        int[] kept = new int[k];
        int first = 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
            double score = n == 1 ? 0 : secondSmallest(d, j);
            if (score > best) {
                best = score;
                first = j;
            }
        }
        kept[0] = first;
        picked[first] = true;
        // Nearest picked token's distance, per token: updated with each pick, so every step is O(n).
        double[] nearest = d[first].clone();
        for (int i = 1; i < k; i++) {
            int next = -1;
            double far = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (!picked[j] && nearest[j] > far) {
                    far = nearest[j];
                    next = j;
                }
            }
            kept[i] = next;
            picked[next] = true;
            for (int j = 0; j < n; j++) {
                nearest[j] = Math.min(nearest[j], d[next][j]);
            }
        }
        Arrays.sort(kept);
        return kept;
    }

    /** {@code D[i][j] = 1 − cos(f_i, f_j)} in double precision; symmetric, zero diagonal. */
    public static double[][] cosineDistances(float[][] features) {
        int n = features.length;
        int width = n == 0 ? 0 : features[0].length;
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            if (features[i].length != width) {
                throw new IllegalArgumentException("feature " + i + " has " + features[i].length
                        + " values, feature 0 has " + width);
            }
            double s = 0;
            for (float v : features[i]) {
                s += (double) v * v;
            }
            norms[i] = Math.sqrt(s);
        }
        double[][] d = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                double cos = 0;
                if (norms[i] > 0 && norms[j] > 0) {
                    double dot = 0;
                    for (int c = 0; c < width; c++) {
                        dot += (double) features[i][c] * features[j][c];
                    }
                    cos = dot / (norms[i] * norms[j]);
                }
                d[i][j] = 1 - cos;
                d[j][i] = d[i][j];
            }
        }
        return d;
    }

    /** The second-smallest value of column {@code j} (D is symmetric: row j), counting repeats. */
    private static double secondSmallest(double[][] d, int j) {
        double lowest = Double.POSITIVE_INFINITY;
        double second = Double.POSITIVE_INFINITY;
        for (double v : d[j]) {
            if (v < lowest) {
                second = lowest;
                lowest = v;
            } else if (v < second) {
                second = v;
            }
        }
        return second;
    }

    private static Integer[] byScoreDescending(float[] scores) {
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Float.compare(rank(scores[b]), rank(scores[a]));
            return c != 0 ? c : Integer.compare(a, b);
        });
        return order;
    }

    private static float rank(float s) {
        return Float.isNaN(s) ? Float.NEGATIVE_INFINITY : s;
    }

    private static double clean(float s) {
        return Float.isNaN(s) || s < 0 ? 0 : s;
    }

    private static int[] identity(int n) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        return all;
    }
}
