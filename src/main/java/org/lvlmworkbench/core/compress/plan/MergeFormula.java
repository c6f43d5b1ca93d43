package org.lvlmworkbench.core.compress.plan;

/**
 * How a group of layers {@code l..l+m} becomes one.
 */
public enum MergeFormula {
    /**
     * LaCo's Reserving-Differences-while-Seeking-Common merge (arXiv 2402.11187, Eq. 1), which SLM
     * (arXiv 2502.19159) uses: {@code θ*_l = θ_l + Σ_{k=1..m} (θ_{l+k} − θ_l)} for the attention and MLP
     * weights, the norms kept from layer {@code l}. Computed out of place: the published LaCo and SLM
     * code updates {@code θ_l} in place inside the sum, which collapses it to {@code θ_{l+m}}.
     */
    RDSC("rdsc"),
    /**
     * What the published LaCo/SLM code actually computes (see {@link #RDSC}): the top layer's weights
     * with the bottom layer's norms. Kept only as a labelled comparison.
     */
    COPY_TOP("copy-top");

    private final String jsonName;

    MergeFormula(String jsonName) {
        this.jsonName = jsonName;
    }

    public String jsonName() {
        return jsonName;
    }

    public static MergeFormula parse(String name) {
        for (MergeFormula f : values()) {
            if (f.jsonName.equals(name)) {
                return f;
            }
        }
        throw new PlanException("merges.formula", "unknown merge formula '" + name + "': rdsc or copy-top");
    }
}
