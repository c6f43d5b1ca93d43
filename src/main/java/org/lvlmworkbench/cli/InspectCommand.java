package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.lvlmworkbench.core.arch.llava.LlavaModel;
import org.lvlmworkbench.core.config.ClipVisionConfig;
import org.lvlmworkbench.core.config.DecoderConfig;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.LoadedModel;
import org.lvlmworkbench.core.model.ModelLoader;
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
            LanguageModel lm = m.model();
            out.printf("model      %s%n", m.folder().toAbsolutePath().normalize());
            out.printf("type       %s%n", lm.modelType());
            if (lm instanceof LlavaModel llava) {
                ClipVisionConfig v = llava.config().vision();
                out.printf("layout     %s keys (%s...)%n", llava.layout().name(), llava.layout().text());
                out.printf("vision     CLIP ViT: %d layers, width %d, %d heads, MLP %d, %s, image %dx%d, patch %d%n",
                        v.numLayers(), v.hiddenSize(), v.numHeads(), v.intermediateSize(), v.hiddenAct(),
                        v.imageSize(), v.imageSize(), v.patchSize());
                out.printf("features   hidden state(s) %s, strategy '%s', %d tokens per image%n",
                        llava.config().visionFeatureLayers(), llava.config().visionFeatureSelectStrategy(),
                        llava.tokensPerImage());
                out.printf("projector  MLP %d -> %d -> %d, %s%n", llava.projector().linear1.inFeatures(),
                        llava.projector().linear1.outFeatures(), llava.projector().linear2.outFeatures(),
                        llava.config().projectorHiddenAct());
            }
            DecoderConfig t = lm.decoder().config();
            out.printf("text       %s: %d layers, width %d, %d heads (%d kv, head dim %d), MLP %d, vocab %d, "
                    + "rope theta %.0f%n", t.modelType(), t.numLayers(), t.hiddenSize(), t.numHeads(), t.numKvHeads(),
                    t.headDim(), t.intermediateSize(), t.vocabSize(), t.ropeTheta());
            out.printf("template   %s%n", m.chatTemplate() == null ? "(none)" : m.chatTemplate().origin().getFileName());
            out.printf("eos ids    %s%n", m.eosTokenIds());
            out.println();
            out.printf("%-24s %14s  %s%n", "component", "parameters", "stored as");
            long total = 0;
            for (LanguageModel.ComponentSize c : lm.components()) {
                out.printf("%-24s %,14d  %s%n", c.name(), c.parameters(), c.storedDtype());
                total += c.parameters();
            }
            out.printf("%-24s %,14d%n", "total", total);
            out.printf("%nhook points: %d (e.g. %s)%n", lm.hookPoints().size(),
                    String.join(", ", lm.hookPoints().subList(0, Math.min(4, lm.hookPoints().size()))));
        }
        return 0;
    }
}
