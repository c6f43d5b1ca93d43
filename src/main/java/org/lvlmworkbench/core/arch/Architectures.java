package org.lvlmworkbench.core.arch;

import java.util.List;
import org.lvlmworkbench.core.arch.llama.LlamaFamily;
import org.lvlmworkbench.core.arch.llava.LlavaFamily;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.model.ArchitectureFamily;

/** The families this build can open, looked up by {@code config.json}'s {@code model_type}. */
public final class Architectures {

    public static final List<ArchitectureFamily> FAMILIES = List.of(new LlavaFamily(), new LlamaFamily());

    private Architectures() {
    }

    /** Every {@code model_type} some family opens. */
    public static List<String> supportedTypes() {
        return FAMILIES.stream().flatMap(f -> f.modelTypes().stream()).toList();
    }

    /** The family for this config, or an error naming the field and what is supported. */
    public static ArchitectureFamily forConfig(JsonFields config) {
        String type = config.string("model_type");
        for (ArchitectureFamily family : FAMILIES) {
            if (family.modelTypes().contains(type)) {
                return family;
            }
        }
        throw config.error("model_type", "'" + type + "' is not supported yet; this build opens " + supportedTypes());
    }
}
