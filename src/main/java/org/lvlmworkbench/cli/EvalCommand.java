package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lvlmworkbench.core.eval.EvalReport;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.eval.Evaluator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "eval", description = "Exact-match accuracy of a model on an evaluation set, per question type and overall.")
final class EvalCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = {"-d", "--data"}, paramLabel = "FILE",
            description = "JSONL with image, prompt, answer, type (default: samples/shapes-eval-N/eval.jsonl for N-pixel models, else samples/shapes-eval/eval.jsonl)")
    Path data;

    @Option(names = "--max-new-tokens", defaultValue = "8")
    int maxNewTokens;

    @Option(names = "--show-errors", description = "list the wrong answers")
    boolean showErrors;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        EvalSet set = EvalSet.read(data != null ? data : ShapesEvalSet.defaultFileFor(model.folder()));
        long t0 = System.nanoTime();
        try (LoadedModel m = ModelLoader.load(model.folder())) {
            m.allWarnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
            EvalReport report = Evaluator.evaluate(m, set, maxNewTokens, Hooks.NONE, null, null);
            out.print(report.table());
            out.printf("%d items in %.1f s%n", set.items().size(), (System.nanoTime() - t0) / 1e9);
            if (showErrors) {
                report.predictions().stream().filter(p -> !p.correct()).forEach(p -> out.printf(
                        "  %s | %s | expected '%s', got '%s'%n", p.item().image().getFileName(), p.item().prompt(),
                        p.item().answer(), p.output().strip()));
            }
        }
        return 0;
    }
}
