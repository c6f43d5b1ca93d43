package org.lvlmworkbench.core.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.lvlmworkbench.core.safetensors.DType;

/** Groups parameters into components by a naming rule and totals them. */
public final class ComponentSizes {

    private ComponentSizes() {
    }

    public static List<LanguageModel.ComponentSize> group(Map<String, Long> sizes, Map<String, DType> stored,
            Function<String, String> componentOf) {
        Map<String, Long> counts = new LinkedHashMap<>();
        Map<String, Set<String>> dtypes = new LinkedHashMap<>();
        for (Map.Entry<String, Long> e : sizes.entrySet()) {
            String c = componentOf.apply(e.getKey());
            counts.merge(c, e.getValue(), Long::sum);
            DType d = stored.get(e.getKey());
            dtypes.computeIfAbsent(c, k -> new LinkedHashSet<>()).add(d == null ? "tied" : d.name());
        }
        List<LanguageModel.ComponentSize> out = new ArrayList<>();
        counts.forEach((c, n) -> out.add(new LanguageModel.ComponentSize(c, n, String.join("+", dtypes.get(c)))));
        return out;
    }
}
