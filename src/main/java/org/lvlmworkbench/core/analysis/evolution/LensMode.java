package org.lvlmworkbench.core.analysis.evolution;

/**
 * How an intermediate residual stream is read as a next-token distribution (the logit lens).
 * Entry {@code 0} is the embeddings, entry {@code ℓ} the output of block {@code ℓ−1}, entry
 * {@code L} the last block's output; the last entry is always the model's own logits.
 */
public enum LensMode {
    /** {@code softmax(lm_head(final_norm(h)))} at every entry: the default, as tuned-lens and LM-TT read it. */
    NORMED("final norm, then lm_head"),
    /**
     * {@code softmax(lm_head(h))} without the final norm, except the last entry, which HF hands over
     * already normalised: what the code of "Towards Understanding How Knowledge Evolves in LVLMs"
     * (arXiv 2504.02862) computes. A paper reproduction: the last transition then mixes the last
     * block with the final norm.
     */
    RAW("lm_head without the final norm (paper reproduction)");

    private final String description;

    LensMode(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
