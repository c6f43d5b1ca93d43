package org.lvlmworkbench.core.compress.evaluate;

import java.util.List;

/** Every evaluated item, in order, and their summary; after a cancel, the items finished before it. */
public record EvaluationResult(List<ItemResult> items, EvaluationSummary summary) {

    public EvaluationResult {
        items = List.copyOf(items);
    }
}
