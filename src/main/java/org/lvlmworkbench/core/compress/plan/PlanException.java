package org.lvlmworkbench.core.compress.plan;

/** A plan that cannot apply, naming the entry at fault (e.g. {@code ranks['…q_proj.weight']}). */
public final class PlanException extends IllegalArgumentException {

    private final String entry;

    public PlanException(String entry, String problem) {
        super((entry == null ? "" : entry + ": ") + problem);
        this.entry = entry;
    }

    /** The plan entry at fault, or null for the plan as a whole. */
    public String entry() {
        return entry;
    }
}
