package org.lvlmworkbench.core.analysis.evolution;

import java.util.List;

/**
 * A 2-D principal-component projection of one lens entry's hidden states at the first answer
 * token's position, across the probe set (the paper's "feature encoding" level).
 *
 * @param entry     the lens entry (0 = embeddings, ℓ = output of block ℓ−1)
 * @param points    {@code [items][2]} coordinates on the first two components
 * @param labels    per item, what colours it: the expected answer, else the model's answer
 * @param explained fraction of the variance each of the two components explains
 */
public record LayerPca(int entry, double[][] points, List<String> labels, double[] explained) {
}
