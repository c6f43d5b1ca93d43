package org.lvlmworkbench.core.compress.lowrank;

import com.google.gson.annotations.SerializedName;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * How a weight is factorised before its truncation (reference notes, section A). Each method
 * multiplies the weight by an input-side transform {@code T}, takes the SVD
 * {@code W·T = U·Σ·Vᵀ} and truncates that; see {@link LowRankFactorizer} for the maths.
 */
public enum LowRankMethod {

    /** Truncated SVD of {@code W} itself ({@code T = I}): minimises {@code ‖W − W_k‖_F}, blind to the data. */
    @SerializedName("plain")
    PLAIN("plain"),

    /** ASVD (arXiv 2312.05821): {@code T = diag(mean|x_j|^α)}, activation-aware column scaling. */
    @SerializedName("asvd")
    ASVD("asvd"),

    /** SVD-LLM (arXiv 2403.07378): {@code T = S}, {@code S·Sᵀ = XᵀX}; Cholesky, or the eigen route when not positive definite. */
    @SerializedName("svd-llm")
    SVD_LLM("svd-llm"),

    /** SVD-LLM V2 (arXiv 2503.12340) loss-optimised truncation: {@code T = U_s·√S_s} from the eigen-decomposition of {@code XᵀX}. */
    @SerializedName("svd-llm-v2")
    SVD_LLM_V2("svd-llm-v2"),

    /** DipSVD (arXiv 2506.20353) local protection: channel-weighted whitening, then SVD-LLM's truncation. */
    @SerializedName("dipsvd")
    DIPSVD("dipsvd"),

    /**
     * SoCo (arXiv 2502.15092): SVD-LLM's components re-weighted and re-ordered by a learned score per
     * component ({@code W' = U·diag(σ⊙s)·R}), the scores trained end to end on the calibration set with a
     * sparsity schedule; not a closed-form factorisation ({@link #trained()}): {@code SocoFactorizations}
     * builds it from SVD-LLM's and the scores, {@code Compressor.soco} trains them.
     */
    @SerializedName("soco")
    SOCO("soco");

    private final String jsonName;

    LowRankMethod(String jsonName) {
        this.jsonName = jsonName;
    }

    /**
     * Whether the factorisation needs training on the model (SoCo) rather than the closed form of
     * {@link LowRankFactorizer#factorize}, which refuses such a method.
     */
    public boolean trained() {
        return this == SOCO;
    }

    /** The closed-form methods, those {@link LowRankFactorizer#factorize} computes. */
    public static java.util.List<LowRankMethod> closedForm() {
        return Arrays.stream(values()).filter(m -> !m.trained()).toList();
    }

    /** The stable lower-case name used in plans and JSON. */
    public String jsonName() {
        return jsonName;
    }

    @Override
    public String toString() {
        return jsonName;
    }

    /** The method named {@code name} (its {@link #jsonName()}, case-insensitive). */
    public static LowRankMethod fromJson(String name) {
        for (LowRankMethod m : values()) {
            if (m.jsonName.equalsIgnoreCase(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown low-rank method '" + name + "'; known: "
                + Arrays.stream(values()).map(LowRankMethod::jsonName).collect(Collectors.joining(", ")));
    }
}
