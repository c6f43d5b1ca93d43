package org.lvlmworkbench.core.compress.plan;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Undo and redo over plans: every change pushes the plan it replaces. Plans are immutable, so the
 * history is the plans themselves, nothing to replay.
 */
public final class PlanHistory {

    private final Deque<CompressionPlan> undo = new ArrayDeque<>();
    private final Deque<CompressionPlan> redo = new ArrayDeque<>();
    private CompressionPlan current;

    public PlanHistory(CompressionPlan initial) {
        this.current = initial;
    }

    public CompressionPlan current() {
        return current;
    }

    /** Makes {@code next} current; a no-op for an equal plan. Clears redo. */
    public CompressionPlan push(CompressionPlan next) {
        if (!next.equals(current)) {
            undo.push(current);
            redo.clear();
            current = next;
        }
        return current;
    }

    public boolean canUndo() {
        return !undo.isEmpty();
    }

    public boolean canRedo() {
        return !redo.isEmpty();
    }

    public CompressionPlan undo() {
        if (canUndo()) {
            redo.push(current);
            current = undo.pop();
        }
        return current;
    }

    public CompressionPlan redo() {
        if (canRedo()) {
            undo.push(current);
            current = redo.pop();
        }
        return current;
    }
}
