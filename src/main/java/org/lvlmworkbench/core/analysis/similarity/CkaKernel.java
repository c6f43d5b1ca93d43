package org.lvlmworkbench.core.analysis.similarity;

/** How CKA compares two examples' features within one layer. */
public enum CkaKernel {
    /** The dot product of the two feature vectors (Gram = X Xᵀ). */
    LINEAR,
    /**
     * exp(−‖xᵢ − xⱼ‖² / (2σ²)), σ² set per layer and minibatch from the median squared distance
     * between that minibatch's examples, so the kernel ignores the layer's overall scale.
     */
    RBF
}
