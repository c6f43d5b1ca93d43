package org.lvlmworkbench.core.compress.plan;

import com.google.gson.JsonObject;
import org.lvlmworkbench.core.compress.lowrank.SocoSettings;
import org.lvlmworkbench.core.config.JsonFields;

/**
 * What a plan's SoCo ranks were trained for: the fraction of the scope's parameters removed and the
 * training settings. SoCo's factorisations are not a function of one weight: applying the plan in a
 * new session trains the scores again (same model, calibration, scope and settings give the same
 * scores; a session that trained them keeps them cached). The scope is the set of matrices the plan
 * ranks with {@code soco}; the rest of the plan, less its SoCo ranks and visual-token pruning, is the
 * model the scores were trained on.
 *
 * <p>JSON: {@code "soco": {"ratio": 0.4, "steps": 200, "learning_rate": 0.05, "coarse_fraction": 0.4,
 * "final_fraction": 0.3, "initial_penalty": 1e-4, "penalty_growth": 1.3, "oscillation": 1.1,
 * "negligible": 0.05, "batch_items": 0}}.
 */
public record SocoTarget(double ratio, SocoSettings settings) {

    public SocoTarget {
        if (!(ratio > 0 && ratio < 1)) {
            throw new PlanException("soco.ratio", "ratio " + ratio + " is outside (0, 1)");
        }
        if (settings == null) {
            throw new PlanException("soco", "SoCo needs its training settings");
        }
    }

    JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("ratio", ratio);
        o.addProperty("steps", settings.steps());
        o.addProperty("learning_rate", settings.learningRate());
        o.addProperty("coarse_fraction", settings.coarseFraction());
        o.addProperty("final_fraction", settings.finalFraction());
        o.addProperty("initial_penalty", settings.initialPenalty());
        o.addProperty("penalty_growth", settings.penaltyGrowth());
        o.addProperty("oscillation", settings.oscillation());
        o.addProperty("negligible", settings.negligible());
        o.addProperty("batch_items", settings.batchItems());
        return o;
    }

    /** Reads the object; a setting out of range throws {@link IllegalArgumentException} naming it. */
    static SocoTarget fromJson(JsonFields f) {
        SocoSettings d = SocoSettings.DEFAULTS;
        double ratio = f.number("ratio");
        int steps = f.integer("steps");
        double lr = f.number("learning_rate", d.learningRate());
        double coarse = f.number("coarse_fraction", d.coarseFraction());
        double last = f.number("final_fraction", d.finalFraction());
        double penalty = f.number("initial_penalty", d.initialPenalty());
        double growth = f.number("penalty_growth", d.penaltyGrowth());
        double swing = f.number("oscillation", d.oscillation());
        double negligible = f.number("negligible", d.negligible());
        int batch = f.integer("batch_items", d.batchItems());
        return new SocoTarget(ratio, new SocoSettings(steps, lr, coarse, last, penalty, growth, swing, negligible, batch));
    }
}
