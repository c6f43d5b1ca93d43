package org.lvlmworkbench.core.sample;

import java.nio.file.Path;
import java.util.function.Consumer;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.export.DiskSpace;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * {@code make-random}'s workflow: a random-weight LLaVA folder of one of the {@link RandomPreset}
 * shapes, with the free disk space checked first. The unit-test shape keeps its historical weights
 * ({@link RandomLlava}, fan-in scaled, through DJL); real-size shapes stream ({@link StreamingRandomWriter}).
 */
public final class RandomCheckpoints {

    /**
     * What to write.
     *
     * @param dtype  storage type, or null for the shape's default
     * @param layout key layout, or null for the shape's default (the Hub's)
     * @param shards number of weight files, or 0 for the default (one for {@code tiny}; files of at most
     *               5 GB for the real-size shapes)
     */
    public record Options(RandomPreset preset, LlavaKeyLayout layout, DType dtype, int shards, long seed) {

        public Options {
            if (shards < 0) {
                throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
            }
        }

        public static Options of(RandomPreset preset, DType dtype, long seed) {
            return new Options(preset, null, dtype, 0, seed);
        }

        public DType effectiveDtype() {
            return dtype == null ? preset.defaultDtype() : dtype;
        }

        public LlavaKeyLayout effectiveLayout() {
            return layout == null ? preset.defaultLayout() : layout;
        }
    }

    /** What was written. */
    public record Written(Path folder, long parameters, long bytes, int files, double seconds) {
    }

    private RandomCheckpoints() {
    }

    /**
     * What a real-size shape's writer will write. For {@code tiny} (whose files {@link RandomLlava}
     * splits by tensor count) the plan is one file: it serves the size estimate only.
     */
    public static StreamingRandomWriter.Plan plan(Options o) {
        int shards = o.preset().realSize() ? o.shards() : 1;
        return StreamingRandomWriter.plan(o.preset().spec(), o.effectiveLayout(), o.preset().vocabSize(),
                o.effectiveDtype(), shards, StreamingRandomWriter.MAX_SHARD_BYTES);
    }

    /** The folder's size once written, from above. */
    public static long estimatedBytes(Options o) {
        return plan(o).estimatedFolderBytes(o.preset().vocabSize());
    }

    /**
     * Writes the folder. Refuses first, naming the sizes, when the file system lacks the space.
     */
    public static Written write(Path folder, Options o, Consumer<String> progress) {
        StreamingRandomWriter.Plan plan = plan(o);
        long needed = plan.estimatedFolderBytes(o.preset().vocabSize());
        DiskSpace.require(folder, needed, 0, "a " + o.preset().option() + " checkpoint in " + o.effectiveDtype());
        long start = System.nanoTime();
        if (o.preset().realSize()) {
            if (progress != null) {
                progress.accept(String.format("make-random: %s, %,d parameters, %s in %s, %d file%s", o.preset().option(),
                        plan.parameters(), o.effectiveDtype(), DiskSpace.gb(plan.dataBytes()), plan.shards().size(),
                        plan.shards().size() == 1 ? "" : "s"));
            }
            StreamingRandomWriter.write(folder, o.preset().spec(), o.effectiveLayout(), o.preset().tokenizer(), plan,
                    o.seed(), progress);
            return new Written(folder, plan.parameters(), plan.dataBytes(), plan.shards().size(),
                    (System.nanoTime() - start) / 1e9);
        }
        int files = Math.max(1, o.shards());
        RandomLlava.writeFolder(folder, o.preset().spec(), o.effectiveLayout(), o.effectiveDtype(), files, o.seed(),
                o.preset().tokenizer());
        return new Written(folder, plan.parameters(), plan.dataBytes(), files, (System.nanoTime() - start) / 1e9);
    }
}
