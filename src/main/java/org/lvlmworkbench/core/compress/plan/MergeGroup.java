package org.lvlmworkbench.core.compress.plan;

/**
 * Consecutive decoder layers {@code first..last} merged into one that takes {@code first}'s place.
 *
 * @param formula how the merged weights are formed (see {@link MergeFormula})
 */
public record MergeGroup(int first, int last, MergeFormula formula) {

    public MergeGroup {
        if (first < 0 || last < first) {
            throw new PlanException("merges", "a merge group must be first ≤ last with first ≥ 0, got " + first + ".." + last);
        }
        if (formula == null) {
            throw new PlanException("merges", "a merge group needs a formula");
        }
    }

    public boolean contains(int layer) {
        return layer >= first && layer <= last;
    }

    /** Layers removed by the merge: all but {@code first}. */
    public int removedLayers() {
        return last - first;
    }

    public boolean overlaps(MergeGroup other) {
        return first <= other.last && other.first <= last;
    }

    @Override
    public String toString() {
        return first + ".." + last + " (" + formula.jsonName() + ")";
    }
}
