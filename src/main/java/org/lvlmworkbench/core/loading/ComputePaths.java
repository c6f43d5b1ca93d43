package org.lvlmworkbench.core.loading;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.nn.Bf16Gemm;
import org.lvlmworkbench.core.nn.WeightLoader;

/** The model card's "compute" section: how the weights are held and which kernels run a decode step and a prefill. */
final class ComputePaths {

    private ComputePaths() {
    }

    static ModelCard.Section describe(LanguageModel model) {
        Set<String> stored = new TreeSet<>();
        for (LanguageModel.ComponentSize c : model.components()) {
            stored.add(c.storedDtype());
        }
        boolean mapped = WeightLoader.mapsMatrices(model.manager().getDevice());
        List<ModelCard.Fact> facts = new ArrayList<>();
        if (!mapped) {
            facts.add(new ModelCard.Fact("weights", "float32 copies on " + model.manager().getDevice()
                    + " (-Dlvlm.weights=f32 or a non-CPU device)"));
            facts.add(new ModelCard.Fact("products", "the engine's float32 GEMMs"));
            return new ModelCard.Section("compute", facts);
        }
        facts.add(new ModelCard.Fact("weights", "matrices read from the checkpoint's mapping as stored ("
                + String.join(", ", stored) + "); vectors and norms in float32"));
        facts.add(new ModelCard.Fact("decode", "SIMD matrix-vector kernels over the mapping, float32 activations"));
        List<String> prefill = new ArrayList<>();
        if (stored.contains("F32")) {
            prefill.add("F32: the engine's GEMM on the mapping");
        }
        if (stored.contains("BF16")) {
            prefill.add("BF16: " + Bf16Gemm.status());
        }
        if (stored.contains("F16")) {
            prefill.add("F16: widened per matrix into a shared float32 buffer, engine GEMM");
        }
        facts.add(new ModelCard.Fact("prefill", String.join("; ", prefill)));
        return new ModelCard.Section("compute", facts);
    }
}
