package org.lvlmworkbench.core.compress.lowrank;

import java.util.Locale;

/**
 * The settings of SoCo's score training (arXiv 2502.15092; the schedule is this project's design, the
 * paper's exact loss and schedule being unverified, see {@code core.compress.soco.SocoTrainer}).
 *
 * @param steps          optimiser steps in all
 * @param learningRate   Adam's step size on the scores (a score moves at most about this much a step)
 * @param coarseFraction share of the steps in phase 1, rapid coarse compression: the sparsity weight
 *                       grows by {@code penaltyGrowth} each step while the scores' active parameters
 *                       exceed the budget
 * @param finalFraction  share of the steps in phase 3, final sparsification: the components outside the
 *                       budget (lowest |score|) are set to 0 for good, the penalty is off, and the
 *                       surviving scores are refitted to the deviation alone; 0 leaves the selection to
 *                       the caller
 * @param initialPenalty the sparsity weight λ at step 0 (nats of deviation per unit of cost-weighted |s|);
 *                       0 switches the penalty off for the whole run
 * @param penaltyGrowth  phase 1's factor per step, {@code > 1}
 * @param oscillation    phase 2 (oscillating refinement, the steps between, alternately dense and cut to
 *                       the budget): after a dense step λ is multiplied by this while the active
 *                       parameters exceed the budget and divided by it while they fit, so it swings around
 *                       the level that holds the budget and components can trade places
 * @param negligible     a score counts as active while {@code |s| > negligible}
 * @param batchItems     calibration items per step (cycled in order); 0 takes every item every step
 */
public record SocoSettings(int steps, double learningRate, double coarseFraction, double finalFraction,
        double initialPenalty, double penaltyGrowth, double oscillation, double negligible, int batchItems) {

    /**
     * 40 steps at 0.1; 40 % coarse, 30 % final; λ from 10⁻⁴, ×1.5 a step, ×/÷1.1 in refinement; active above
     * 0.05; every item every step. Tuned on the sample (8-layer decoder, 4 calibration items), not on a
     * large model: longer runs there ended worse (see {@code SocoTrainer}).
     */
    public static final SocoSettings DEFAULTS = new SocoSettings(40, 0.1, 0.4, 0.3, 1e-4, 1.5, 1.1, 0.05, 0);

    public SocoSettings {
        if (steps < 1) {
            throw new IllegalArgumentException("SoCo needs at least one step, got " + steps);
        }
        if (!(learningRate > 0 && Double.isFinite(learningRate))) {
            throw new IllegalArgumentException("SoCo learning rate " + learningRate + " must be positive");
        }
        if (!(coarseFraction >= 0 && finalFraction >= 0 && coarseFraction + finalFraction <= 1)) {
            throw new IllegalArgumentException("SoCo phase fractions " + coarseFraction + " and " + finalFraction
                    + " must be >= 0 and sum to at most 1");
        }
        if (!(initialPenalty >= 0 && Double.isFinite(initialPenalty))) {
            throw new IllegalArgumentException("SoCo initial penalty " + initialPenalty + " must be >= 0");
        }
        if (!(penaltyGrowth >= 1 && oscillation >= 1 && Double.isFinite(penaltyGrowth) && Double.isFinite(oscillation))) {
            throw new IllegalArgumentException("SoCo penalty growth " + penaltyGrowth + " and oscillation " + oscillation
                    + " must be >= 1");
        }
        if (!(negligible >= 0 && negligible < 1)) {
            throw new IllegalArgumentException("SoCo negligible score " + negligible + " is outside [0, 1)");
        }
        if (batchItems < 0) {
            throw new IllegalArgumentException("SoCo batch items " + batchItems + " must be >= 0");
        }
    }

    public SocoSettings withSteps(int n) {
        return new SocoSettings(n, learningRate, coarseFraction, finalFraction, initialPenalty, penaltyGrowth,
                oscillation, negligible, batchItems);
    }

    public SocoSettings withLearningRate(double lr) {
        return new SocoSettings(steps, lr, coarseFraction, finalFraction, initialPenalty, penaltyGrowth, oscillation,
                negligible, batchItems);
    }

    public SocoSettings withPhases(double coarse, double last) {
        return new SocoSettings(steps, learningRate, coarse, last, initialPenalty, penaltyGrowth, oscillation, negligible,
                batchItems);
    }

    public SocoSettings withPenalty(double initial, double growth, double swing) {
        return new SocoSettings(steps, learningRate, coarseFraction, finalFraction, initial, growth, swing, negligible,
                batchItems);
    }

    /** Steps of phase 1 (coarse). */
    public int coarseSteps() {
        return (int) Math.round(coarseFraction * steps);
    }

    /** Steps of phase 3 (final sparsification). */
    public int finalSteps() {
        return Math.min(steps - coarseSteps(), (int) Math.round(finalFraction * steps));
    }

    /** A stable string of every setting (part of a SoCo factorisation's cache key). */
    public String describe() {
        return String.format(Locale.ROOT, "steps=%d,lr=%s,coarse=%s,final=%s,lambda0=%s,growth=%s,swing=%s,negligible=%s,batch=%d",
                steps, learningRate, coarseFraction, finalFraction, initialPenalty, penaltyGrowth, oscillation, negligible,
                batchItems);
    }
}
