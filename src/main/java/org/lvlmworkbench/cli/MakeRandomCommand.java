package org.lvlmworkbench.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.sample.LlavaSpec;
import org.lvlmworkbench.core.sample.RandomLlava;
import org.lvlmworkbench.core.safetensors.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "make-random", description = "Write a small random-weight LLaVA checkpoint in exact HF layout (for tests and demos).")
final class MakeRandomCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Option(names = "--layout", defaultValue = "legacy", description = "legacy (language_model.model.*) or current (model.language_model.*)")
    String layout;

    @Option(names = "--dtype", defaultValue = "F32", description = "F32, F16 or BF16")
    DType dtype;

    @Option(names = "--shards", defaultValue = "1")
    int shards;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LlavaKeyLayout l = switch (layout) {
            case "legacy" -> LlavaKeyLayout.LEGACY;
            case "current" -> LlavaKeyLayout.CURRENT;
            default -> throw new IllegalArgumentException("--layout must be legacy or current, got '" + layout + "'");
        };
        RandomLlava.writeFolder(out, LlavaSpec.tiny(), l, dtype, shards, seed);
        spec.commandLine().getOut().println("wrote " + out.toAbsolutePath().normalize());
        return 0;
    }
}
