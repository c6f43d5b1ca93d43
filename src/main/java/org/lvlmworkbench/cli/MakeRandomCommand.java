package org.lvlmworkbench.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.export.DiskSpace;
import org.lvlmworkbench.core.sample.RandomCheckpoints;
import org.lvlmworkbench.core.sample.RandomPreset;
import org.lvlmworkbench.core.safetensors.DType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "make-random", description = "Write a random-weight LLaVA checkpoint in exact HF layout: the tiny "
        + "test model, or a real-size shape (tinyllama-1.1b, llava-7b) streamed tensor by tensor.")
final class MakeRandomCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "DIR")
    Path out;

    @Option(names = "--shape", defaultValue = "tiny", paramLabel = "SHAPE", description = "tiny (unit-test size, "
            + "default), tinyllama-1.1b (CLIP ViT-L/14-336 + TinyLlama-1.1B, 1.41 B parameters) or llava-7b "
            + "(LLaVA-1.5-7B, 7.06 B parameters)")
    String shape;

    @Option(names = "--layout", defaultValue = "legacy", description = "legacy (the Hub's), current (transformers "
            + "4.52-4.57), v5 (transformers 5 save_pretrained) or v5-internal (save_original_format=False)")
    String layout;

    @Option(names = "--dtype", description = "F32, F16 or BF16 (default: F32 for tiny, BF16 for the real-size shapes)")
    DType dtype;

    @Option(names = "--shards", description = "number of weight files (default: 1 for tiny; files of at most 5 GB "
            + "with model.safetensors.index.json for the real-size shapes)")
    Integer shards;

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
        RandomPreset preset = RandomPreset.byOption(shape);
        LlavaKeyLayout l = LlavaKeyLayout.byOption(layout);
        if (shards != null && shards < 1) {
            throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
        }
        RandomCheckpoints.Options options = new RandomCheckpoints.Options(preset, l, dtype,
                shards == null ? 0 : shards, seed);
        List<Path> old = checkTarget();
        long reclaimable = 0;
        for (Path p : old) {
            try {
                reclaimable += Files.size(p);
            } catch (IOException e) {
                // Counted as nothing: the check only gets stricter.
            }
        }
        // Checked before the old weights go, so a refusal leaves the folder as it was.
        DiskSpace.require(out, RandomCheckpoints.estimatedBytes(options), reclaimable, "a " + preset.option()
                + " checkpoint in " + options.effectiveDtype());
        deleteAll(old);
        PrintWriter err = spec.commandLine().getErr();
        RandomCheckpoints.Written w = RandomCheckpoints.write(out, options, line -> {
            err.println(line);
            err.flush();
        });
        spec.commandLine().getOut().println("wrote " + out.toAbsolutePath().normalize()
                + (replacing ? " (replacing the model that was there)" : "")
                + (preset.realSize() ? String.format(" (%s, %,d parameters, %s in %s, %.1f s)", preset.option(),
                        w.parameters(), DiskSpace.gb(w.bytes()), options.effectiveDtype(), w.seconds()) : ""));
        return 0;
    }

    private boolean replacing;

    /**
     * Refuses to write over a non-empty folder unless --force is given; with it, returns the old
     * weight files to remove (a stale index or shard would otherwise be read instead of the new weights).
     */
    private List<Path> checkTarget() {
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(out + ": exists and is not a folder");
        }
        if (!Files.isDirectory(out)) {
            return List.of();
        }
        List<String> entries;
        try (Stream<Path> list = Files.list(out)) {
            entries = list.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new UncheckedIOException(out + ": cannot list the folder: " + e.getMessage(), e);
        }
        if (entries.isEmpty()) {
            return List.of();
        }
        if (!force) {
            throw new IllegalArgumentException(out + ": the folder exists and is not empty (" + entries.size()
                    + " entr" + (entries.size() == 1 ? "y" : "ies") + ": "
                    + entries.stream().limit(5).collect(Collectors.joining(", ")) + (entries.size() > 5 ? ", …" : "")
                    + "); make-random would overwrite the model files in it. Choose a new or empty folder, or pass "
                    + "--force to replace them");
        }
        replacing = true;
        return entries.stream().filter(n -> CHECKPOINT_FILE.matcher(n).matches()).map(out::resolve)
                .collect(Collectors.toList());
    }

    private static void deleteAll(List<Path> files) {
        for (Path p : files) {
            try {
                Files.delete(p);
            } catch (IOException e) {
                throw new UncheckedIOException(p + ": cannot remove the old weights: " + e.getMessage(), e);
            }
        }
    }
}
