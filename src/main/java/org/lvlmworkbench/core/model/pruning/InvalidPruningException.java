package org.lvlmworkbench.core.model.pruning;

/**
 * A visual-token pruning policy that cannot run: its JSON is malformed or a value is out of range.
 * {@link #field()} is the dotted path of the offending field inside the policy object (e.g.
 * {@code stages[1].ratio}), so a config reader can prefix its own path.
 */
public final class InvalidPruningException extends IllegalArgumentException {

    private final String field;
    private final String problem;

    public InvalidPruningException(String field, String problem) {
        super("visual token pruning: " + (field == null || field.isEmpty() ? "" : "field '" + field + "': ")
                + problem);
        this.field = field == null ? "" : field;
        this.problem = problem;
    }

    /** Dotted path inside the policy object; empty for the object as a whole. */
    public String field() {
        return field;
    }

    /** What is wrong, without the field's name. */
    public String problem() {
        return problem;
    }
}
