package org.lvlmworkbench.core.compress.plan;

import java.util.List;

/**
 * The rank a matrix is factorised to and the method that factorises it.
 *
 * @param method one of {@link #METHODS}: plain truncated SVD, ASVD, SVD-LLM, SVD-LLM V2, DipSVD, SoCo (whose
 *               training the plan's {@link CompressionPlan#soco()} describes)
 */
public record MatrixRank(int rank, String method) {

    /** The low-rank methods a plan may name, by their JSON names. */
    public static final List<String> METHODS = List.of("plain", "asvd", "svd-llm", "svd-llm-v2", "dipsvd", "soco");

    public MatrixRank {
        if (!METHODS.contains(method)) {
            throw new PlanException("method", "unknown low-rank method '" + method + "': one of " + METHODS);
        }
    }
}
