package org.lvlmworkbench.core.model;

import java.nio.file.Path;
import java.util.List;

/**
 * What a user is told about an open model, as plain data: the CLI's {@code inspect} and the app's
 * model card both render this one record, so neither needs to know any family.
 *
 * @param architecture the family's display name, e.g. "LLaVA (CLIP ViT + MLP projector + Llama)"
 * @param keyLayout    how the checkpoint names its weights (one of the family's known layouts)
 * @param sections     per part of the network (vision tower, projector, text decoder...), label/value facts
 * @param components   parameter counts per component with their stored dtypes
 */
public record ModelCard(Path folder, String modelType, String architecture, String keyLayout,
        List<Section> sections, List<LanguageModel.ComponentSize> components, String chatTemplate,
        List<Long> eosTokenIds, int hookPointCount) {

    public ModelCard {
        sections = List.copyOf(sections);
        components = List.copyOf(components);
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /** One part of the network and its facts in reading order. */
    public record Section(String name, List<Fact> facts) {
        public Section {
            facts = List.copyOf(facts);
        }
    }

    public record Fact(String label, String value) {
    }

    public long totalParameters() {
        return components.stream().mapToLong(LanguageModel.ComponentSize::parameters).sum();
    }

    /** The value of a fact by section and label, or null; for tests and compact summaries. */
    public String fact(String section, String label) {
        for (Section s : sections) {
            if (s.name().equals(section)) {
                for (Fact f : s.facts()) {
                    if (f.label().equals(label)) {
                        return f.value();
                    }
                }
            }
        }
        return null;
    }
}
