package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.processing.RgbImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "run", description = "Answer a prompt about an image and print the answer and the time taken.")
final class RunCommand implements Callable<Integer> {

    @Mixin
    ModelOption model;

    @Option(names = {"-i", "--image"}, paramLabel = "FILE", description = "image (PNG, JPEG, BMP, GIF)")
    Path image;

    @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "the question")
    String prompt;

    @Option(names = "--max-new-tokens", defaultValue = "32", description = "stop after this many tokens (${DEFAULT-VALUE})")
    int maxNewTokens;

    @Option(names = "--temperature", defaultValue = "0", description = "0 is greedy; above 0 samples (${DEFAULT-VALUE})")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "sample among the k most likely; 0 = all")
    int topK;

    @Option(names = "--top-p", defaultValue = "1", description = "sample within this probability mass")
    double topP;

    @Option(names = "--seed", defaultValue = "0", description = "sampling seed")
    long seed;

    @Option(names = "--show-prompt", description = "print the rendered prompt too")
    boolean showPrompt;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        long t0 = System.nanoTime();
        RgbImage img = image == null ? null : RgbImage.read(image);
        try (LoadedModel m = ModelLoader.load(model.folder())) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            int images = img == null ? 0 : 1;
            if (showPrompt) {
                out.println("prompt: " + m.processor().render(prompt, images).replace("\n", "\\n"));
            }
            GenerationSettings settings = temperature == 0 ? GenerationSettings.greedy(maxNewTokens)
                    : GenerationSettings.sampled(maxNewTokens, temperature, topK, topP, seed);
            GenerationResult r = Generator.answer(m, prompt, img, settings, Hooks.NONE, null);
            out.println(r.text().strip());
            double decode = r.decodeNanos() / 1e9;
            out.printf("time: load %.2f s, prefill %.3f s (%d tokens), decode %.3f s (%d token%s%s), stop: %s%n",
                    loadSeconds, r.prefillNanos() / 1e9, r.promptIds().length, decode, r.newIds().length,
                    r.newIds().length == 1 ? "" : "s",
                    r.newIds().length > 1 ? String.format(", %.1f tok/s", (r.newIds().length - 1) / Math.max(decode, 1e-9)) : "",
                    r.stopReason().name().toLowerCase().replace('_', ' '));
            // The weights' NaN/Inf scan ran beside the answer; its findings come after it.
            m.allWarnings().forEach(w -> spec.commandLine().getErr().println("warning: " + w));
        }
        return 0;
    }
}
