package org.lvlmworkbench.core.analysis.evolution;

import java.util.List;
import org.lvlmworkbench.core.analysis.probe.ProbeRun;

/**
 * One probe item's evolution: its run (token table, answer, correctness) and, per followed position
 * (the answer's tokens, then any prompt positions asked for), the lens read-out through the layers.
 * {@code answerState} holds, per lens entry, the hidden state at the first answer token's
 * predicting position ({@code [entries][hidden]}), for the feature-encoding PCA.
 */
public record ItemEvolution(ProbeRun run, List<PositionEvolution> positions, float[][] answerState) {

    /** The evolution of the position predicting answer token {@code step}, or null. */
    public PositionEvolution step(int step) {
        return positions.stream().filter(p -> p.step() == step).findFirst().orElse(null);
    }
}
