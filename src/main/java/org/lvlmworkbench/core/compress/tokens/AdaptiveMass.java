package org.lvlmworkbench.core.compress.tokens;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoublePredicate;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.tokens.VisualTokenImportance;
import org.lvlmworkbench.core.analysis.tokens.VisualTokenSettings;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.pruning.TokenSelection;

/**
 * The attention mass at which adaptive pruning removes, on average over the calibration items, a
 * given share of the image tokens.
 *
 * <p>Why: adaptive pruning has no keep ratio; each instance keeps the fewest tokens holding a fraction
 * {@code mass} of the last prompt token's attention to the image ({@link TokenSelection#massCover}), so
 * how many go depends on how peaked that attention is. To set it beside FastV and diversity pruning at
 * the same token budget, the mass is fitted on the calibration items: the share removed,
 * {@code r(mass) = mean over items of 1 − kept/n}, only falls as the mass rises, so a bisection finds
 * the step of {@code r} nearest the target, and the mass is taken from the middle of that step. Per
 * instance the budget still varies, which is the method's point; only its mean is matched.
 */
public final class AdaptiveMass {

    /**
     * @param mass          the fitted attention mass
     * @param removedShare  the share of image tokens it removes on the items, averaged over them
     * @param smallestShare the least any one item loses
     * @param largestShare  the most any one item loses
     * @param items         items it was fitted on
     */
    public record Fit(double mass, double removedShare, double smallestShare, double largestShare, int items) {
    }

    private AdaptiveMass() {
    }

    /**
     * FastV's score of every image token at layer {@code layer} (the head-mean attention of layer
     * {@code layer − 1} from the last prompt position) for each item: what an adaptive stage at
     * {@code layer} ranks the tokens by.
     */
    public static List<float[]> scores(LoadedModel model, List<ProbeItem> items, int layer, Progress progress) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("fitting an adaptive mass needs calibration items, found none");
        }
        VisualTokenSettings settings = new VisualTokenSettings(1, layer);
        List<float[]> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            progress.checkCancelled();
            progress.update((double) i / items.size(), "adaptive pruning: attention of item " + (i + 1) + " of "
                    + items.size());
            float[] s = VisualTokenImportance.runItem(model, items.get(i), settings, progress).fastV(layer);
            if (s.length == 0) {
                throw new IllegalArgumentException("calibration item " + items.get(i).id() + " has no image tokens");
            }
            out.add(s);
        }
        return out;
    }

    /** Refuses a share of image tokens to remove outside [0, 1), before any model runs for it. */
    public static void checkShare(double removedShare) {
        if (!(removedShare >= 0 && removedShare < 1)) {
            throw new IllegalArgumentException("the share of image tokens removed must be in [0, 1), found " + removedShare);
        }
    }

    /** The mass whose mean removed share over {@code scores} is nearest {@code removedShare} (in [0, 1)). */
    public static Fit fit(List<float[]> scores, double removedShare, int minKeep) {
        checkShare(removedShare);
        if (scores.isEmpty()) {
            throw new IllegalArgumentException("fitting an adaptive mass needs at least one item's scores");
        }
        // r(mass) steps down as mass rises: find the boundary where it crosses the target.
        double low = 1e-9; // removes the most
        double high = 1; // keeps every token holding any attention
        if (removed(scores, high, minKeep) >= removedShare) {
            return fitAt(scores, high, minKeep);
        }
        if (removed(scores, low, minKeep) < removedShare) {
            return fitAt(scores, low, minKeep);
        }
        double[] crossing = bisect(m -> removed(scores, m, minKeep) >= removedShare, low, high);
        // crossing[0] removes at least the target, crossing[1] less: the nearer of the two steps.
        double atLow = removed(scores, crossing[0], minKeep);
        double atHigh = removed(scores, crossing[1], minKeep);
        return fitAt(scores, middleOfStep(scores, atLow - removedShare <= removedShare - atHigh ? crossing[0]
                : crossing[1], minKeep), minKeep);
    }

    /**
     * The middle of the interval of masses that remove exactly what {@code mass} removes: a mass at the
     * step's edge would flip a token on the smallest change of the scores (the run-time pass computes them
     * again, in its own GEMM precision).
     */
    private static double middleOfStep(List<float[]> scores, double mass, int minKeep) {
        double share = removed(scores, mass, minKeep);
        DoublePredicate sameStep = m -> m > 0 && removed(scores, m, minKeep) == share;
        return (bisect(sameStep, mass, 0)[0] + bisect(sameStep, mass, 1)[0]) / 2;
    }

    /**
     * Sixty halvings of the interval between {@code inside}, where {@code holds} is true, and
     * {@code outside}, which may lie on either side: the last point known to hold and the first
     * known not to (the end of the range where it holds all the way).
     */
    private static double[] bisect(DoublePredicate holds, double inside, double outside) {
        for (int i = 0; i < 60; i++) {
            double m = (inside + outside) / 2;
            if (holds.test(m)) {
                inside = m;
            } else {
                outside = m;
            }
        }
        return new double[] {inside, outside};
    }

    private static Fit fitAt(List<float[]> scores, double mass, int minKeep) {
        double sum = 0;
        double least = 1;
        double most = 0;
        for (float[] s : scores) {
            double r = removedShare(s, mass, minKeep);
            sum += r;
            least = Math.min(least, r);
            most = Math.max(most, r);
        }
        return new Fit(mass, sum / scores.size(), least, most, scores.size());
    }

    private static double removed(List<float[]> scores, double mass, int minKeep) {
        double sum = 0;
        for (float[] s : scores) {
            sum += removedShare(s, mass, minKeep);
        }
        return sum / scores.size();
    }

    /** The share of one item's image tokens that the mass removes. */
    private static double removedShare(float[] scores, double mass, int minKeep) {
        return 1 - (double) TokenSelection.massCover(scores, mass, minKeep).length / scores.length;
    }
}
