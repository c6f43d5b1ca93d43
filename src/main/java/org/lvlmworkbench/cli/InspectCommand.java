package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "inspect", description = "Print a model's architecture, parameter counts per component and dtypes.")
final class InspectCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (LoadedModel m = ModelLoader.load(model.folder())) {
            ModelCard card = m.card();
            m.allWarnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
            out.printf("model      %s%n", card.folder().toAbsolutePath().normalize());
            out.printf("family     %s (model_type %s)%n", card.architecture(), card.modelType());
            out.printf("layout     %s%n", card.keyLayout());
            for (ModelCard.Section section : card.sections()) {
                out.printf("%s%n", section.name());
                for (ModelCard.Fact fact : section.facts()) {
                    out.printf("  %-18s %s%n", fact.label(), fact.value());
                }
            }
            out.printf("template   %s%n", card.chatTemplate() == null ? "(none)" : card.chatTemplate());
            out.printf("eos ids    %s%n", card.eosTokenIds());
            out.println();
            out.printf("%-24s %14s  %s%n", "component", "parameters", "stored as");
            for (LanguageModel.ComponentSize c : card.components()) {
                out.printf("%-24s %,14d  %s%n", c.name(), c.parameters(), c.storedDtype());
            }
            out.printf("%-24s %,14d%n", "total", card.totalParameters());
            List<String> points = m.model().hookPoints();
            out.printf("%nhook points: %d (e.g. %s)%n", points.size(),
                    String.join(", ", points.subList(0, Math.min(4, points.size()))));
        }
        return 0;
    }
}
