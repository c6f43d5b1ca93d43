package org.lvlmworkbench.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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

    @Option(names = "--layout", defaultValue = "legacy", description = "legacy (the Hub's), current (transformers "
            + "4.52-4.57), v5 (transformers 5 save_pretrained) or v5-internal (save_original_format=False)")
    String layout;

    @Option(names = "--dtype", defaultValue = "F32", description = "F32, F16 or BF16")
    DType dtype;

    @Option(names = "--shards", defaultValue = "1")
    int shards;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Option(names = "--force", description = "write into an existing non-empty folder, replacing the model files there")
    boolean force;

    /** Weight files a checkpoint folder may hold; with --force the old ones go, so none is left to mix in. */
    private static final Pattern CHECKPOINT_FILE = Pattern.compile(
            "model\\.safetensors|model\\.safetensors\\.index\\.json|model-\\d+-of-\\d+\\.safetensors");

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        LlavaKeyLayout l = LlavaKeyLayout.byOption(layout);
        boolean replacing = checkTarget();
        RandomLlava.writeFolder(out, LlavaSpec.tiny(), l, dtype, shards, seed);
        spec.commandLine().getOut().println("wrote " + out.toAbsolutePath().normalize()
                + (replacing ? " (replacing the model that was there)" : ""));
        return 0;
    }

    /**
     * Refuses to write over a non-empty folder unless --force is given; with it, removes the old
     * weight files first (a stale index or shard would otherwise be read instead of the new weights).
     *
     * @return whether an existing model folder is being replaced
     */
    private boolean checkTarget() {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + ": exists and is not a folder");
        }
        if (!Files.isDirectory(out)) {
            return false;
        }
        List<String> entries;
        try (Stream<Path> list = Files.list(out)) {
            entries = list.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot list the folder: " + e.getMessage(), e);
        }
        if (entries.isEmpty()) {
            return false;
        }
        if (!force) {
            throw new IllegalArgumentException(out + ": the folder exists and is not empty (" + entries.size()
                    + " entr" + (entries.size() == 1 ? "y" : "ies") + ": "
                    + entries.stream().limit(5).collect(Collectors.joining(", ")) + (entries.size() > 5 ? ", …" : "")
                    + "); make-random would overwrite the model files in it. Choose a new or empty folder, or pass "
                    + "--force to replace them");
        }
        for (String name : entries) {
            if (CHECKPOINT_FILE.matcher(name).matches()) {
                try {
                    Files.delete(out.resolve(name));
                } catch (IOException e) {
                    throw new UncheckedIOException(out.resolve(name) + ": cannot remove the old weights: "
                            + e.getMessage(), e);
                }
            }
        }
        return true;
    }
}
