package org.lvlmworkbench.core.analysis.evolution;

import java.util.List;

/**
 * How the next-token prediction at one position evolves through the layers.
 *
 * @param position   the position in the run's token table whose output is read
 * @param step       the generated token this position predicts (0 = first answer token), or -1 for a
 *                   prompt position asked for explicitly
 * @param emittedId  the token the model emitted there (-1 for end of sequence or a prompt position)
 * @param expectedId the expected answer's token for this step, or -1
 * @param layers     one prediction per lens entry (embeddings, each block; the last is the model's)
 * @param jsNext     JS divergence in bits between consecutive entries (transition i = entry i → i+1)
 * @param jsToFinal  JS divergence in bits from each entry to the last
 * @param stages     the critical/mutation rule applied to {@code jsNext}
 */
public record PositionEvolution(int position, int step, long emittedId, long expectedId, List<LayerPrediction> layers,
        double[] jsNext, double[] jsToFinal, Stages stages) {
}
