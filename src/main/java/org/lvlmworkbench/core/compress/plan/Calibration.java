package org.lvlmworkbench.core.compress.plan;

/**
 * The calibration set a plan's data-aware choices were made with (whitening Grams, similarities).
 *
 * @param source      the evaluation file or image folder the items came from, as the user gave it
 * @param items       how many items
 * @param fingerprint the probe set's content fingerprint ({@code ProbeSet.fingerprint()})
 */
public record Calibration(String source, int items, String fingerprint) {

    public Calibration {
        if (items < 1) {
            throw new PlanException("calibration.items", "must be at least 1, got " + items);
        }
    }
}
