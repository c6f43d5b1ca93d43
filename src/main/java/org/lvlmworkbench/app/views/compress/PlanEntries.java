package org.lvlmworkbench.app.views.compress;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/**
 * Every choice of a plan as a line a person reads, grouped (ranks by component and role, merges,
 * dropped blocks, dropped sub-layers, token pruning), each with the change that takes it out of the
 * plan. Plain Java, tested without a toolkit.
 */
public final class PlanEntries {

    /** One choice of the plan and how to take it out. */
    public record Entry(String text, String detail, UnaryOperator<CompressionPlan> removal) {
    }

    /** Choices of one kind; removing the group removes all of them. */
    public record Group(String title, List<Entry> entries) {

        public Group {
            entries = List.copyOf(entries);
        }

        /** The plan without any of this group's choices. */
        public CompressionPlan removeFrom(CompressionPlan plan) {
            CompressionPlan out = plan;
            for (Entry e : entries) {
                out = e.removal().apply(out);
            }
            return out;
        }
    }

    private PlanEntries() {
    }

    /** The plan's choices in groups, in a fixed order: ranks (forward order of the model), merges, drops, pruning. */
    public static List<Group> of(CompressionPlan plan, ModelShape shape) {
        List<Group> groups = new ArrayList<>();
        Map<String, List<Entry>> ranks = new LinkedHashMap<>();
        // Forward order of the model, so groups read vision, projector, decoder and layers go up.
        for (ModelShape.Matrix m : shape.matrices().values()) {
            MatrixRank r = plan.ranks().get(m.name());
            if (r == null) {
                continue;
            }
            String group = "Low rank · " + componentName(m.component()) + " " + m.role();
            long dense = m.denseParameters();
            long kept = m.factoredParameters(r.rank());
            String text = (m.layer() < 0 ? m.component() : "layer " + m.layer()) + ": rank " + r.rank() + "/"
                    + m.maxRank() + " (" + r.method() + String.format(Locale.ROOT, ", %.0f %%)", 100.0 * kept / dense);
            ranks.computeIfAbsent(group, k -> new ArrayList<>()).add(new Entry(text, m.name() + " (" + m.rows() + "×"
                    + m.cols() + ") factorised as " + r.rank() + "×(" + m.rows() + " + " + m.cols() + ") = "
                    + String.format(Locale.ROOT, "%,d", kept) + " numbers instead of "
                    + String.format(Locale.ROOT, "%,d", dense) + String.format(Locale.ROOT, " (%.0f %% of its parameters)",
                            100.0 * kept / dense), p -> p.withoutRank(m.name())));
        }
        // Ranks on names the shape does not know are still listed, so they can be removed.
        for (Map.Entry<String, MatrixRank> e : plan.ranks().entrySet()) {
            if (!shape.matrices().containsKey(e.getKey())) {
                ranks.computeIfAbsent("Low rank · unknown matrices", k -> new ArrayList<>()).add(new Entry(e.getKey()
                        + ": rank " + e.getValue().rank(), "no linear map of this model has that name",
                        p -> p.withoutRank(e.getKey())));
            }
        }
        ranks.forEach((title, entries) -> groups.add(new Group(title + " (" + entries.size() + ")", entries)));
        if (!plan.merges().isEmpty()) {
            List<Entry> merges = new ArrayList<>();
            for (MergeGroup g : plan.merges()) {
                merges.add(new Entry("layers " + g.first() + ".." + g.last() + " → one layer · " + formula(g.formula()),
                        (g.last() - g.first() + 1) + " decoder layers merged into layer " + g.first() + "'s place ("
                                + g.removedLayers() + " removed)", p -> p.withoutMerge(g)));
            }
            groups.add(new Group("Merged layers (" + merges.size() + ")", merges));
        }
        addDrops(groups, "Dropped blocks", plan.droppedLayers(), "block ",
                "the whole decoder block is skipped (ShortGPT)", (p, l) -> p.withDroppedLayer(l, false));
        addDrops(groups, "Dropped attention", plan.droppedAttention(), "attention of layer ",
                "the block keeps its MLP; its attention sub-layer is skipped (LLM-Drop)",
                (p, l) -> p.withDroppedAttention(l, false));
        addDrops(groups, "Dropped MLP", plan.droppedMlp(), "MLP of layer ",
                "the block keeps its attention; its MLP sub-layer is skipped (LLM-Drop)",
                (p, l) -> p.withDroppedMlp(l, false));
        VisualTokenPruning pruning = plan.tokenPruning();
        if (!pruning.isNone()) {
            List<Entry> stages = new ArrayList<>();
            List<VisualTokenPruning.Stage> all = pruning.stages();
            for (VisualTokenPruning.Stage s : all) {
                stages.add(new Entry(s.describe(), "original decoder layer " + s.layer()
                        + " (re-indexed when layers before it are dropped or merged)", p -> {
                            List<VisualTokenPruning.Stage> rest = new ArrayList<>(p.tokenPruning().stages());
                            rest.remove(s);
                            return p.withTokenPruning(VisualTokenPruning.of(rest));
                        }));
            }
            groups.add(new Group("Visual-token pruning (" + stages.size() + " stage" + (stages.size() == 1 ? "" : "s")
                    + ")", stages));
        }
        return groups;
    }

    /** "3 choices: 2 ranks, 1 merge" or "no changes: the original model". */
    public static String summary(CompressionPlan plan) {
        List<String> parts = new ArrayList<>();
        count(parts, plan.ranks().size(), "rank");
        count(parts, plan.merges().size(), "merge");
        count(parts, plan.droppedLayers().size(), "dropped block");
        count(parts, plan.droppedAttention().size() + plan.droppedMlp().size(), "dropped sub-layer");
        count(parts, plan.tokenPruning().stages().size(), "pruning stage");
        return parts.isEmpty() ? "No changes: the original model." : String.join(" · ", parts);
    }

    /** How the Plan view names a merge formula; the published code's behaviour is labelled as such. */
    public static String formula(MergeFormula f) {
        return f == MergeFormula.RDSC ? "RDSC" : "copy-top (the published LaCo/SLM code's behaviour)";
    }

    private static void count(List<String> parts, int n, String what) {
        if (n > 0) {
            parts.add(n + " " + what + (n == 1 ? "" : "s"));
        }
    }

    private static String componentName(String component) {
        return switch (component) {
            case "text" -> "decoder";
            case "vision" -> "vision";
            default -> component;
        };
    }

    private interface LayerRemoval {
        CompressionPlan apply(CompressionPlan plan, int layer);
    }

    private static void addDrops(List<Group> groups, String title, Iterable<Integer> layers, String prefix,
            String detail, LayerRemoval removal) {
        List<Entry> entries = new ArrayList<>();
        for (int l : layers) {
            entries.add(new Entry(prefix + l, detail, p -> removal.apply(p, l)));
        }
        if (!entries.isEmpty()) {
            groups.add(new Group(title + " (" + entries.size() + ")", entries));
        }
    }
}
