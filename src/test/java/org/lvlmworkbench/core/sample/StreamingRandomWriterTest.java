package org.lvlmworkbench.core.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.export.DiskSpace;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.safetensors.BFloat16;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * The streaming writer on a scaled-down model: what it writes opens, runs and has the planned
 * values; copies in different types hold the same weights; the disk-space check refuses up front.
 */
class StreamingRandomWriterTest {

    @TempDir
    Path dir;

    /** The unit-test shape with a 300-entry padded vocabulary, in shards of at most 40 kB. */
    private static StreamingRandomWriter.Plan smallPlan(DType dtype) {
        return StreamingRandomWriter.plan(LlavaSpec.tiny(), LlavaKeyLayout.LEGACY, 300, dtype, 0, 40_000);
    }

    private static WordLevelTokenizer tokenizer() {
        return WordLevelTokenizer.padded(RandomLlava.TEST_WORDS, 300);
    }

    private Path write(String name, DType dtype, long seed) {
        Path folder = dir.resolve(name);
        StreamingRandomWriter.write(folder, LlavaSpec.tiny(), LlavaKeyLayout.LEGACY, tokenizer(), smallPlan(dtype),
                seed, null);
        return folder;
    }

    private static float[] floats(Checkpoint c, String name) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray a = c.load(name, m);
            return a.toType(DataType.FLOAT32, false).toFloatArray();
        }
    }

    @Test
    void shardedFolderOpensAndGeneratesWithFiniteLogits() throws Exception {
        StreamingRandomWriter.Plan plan = smallPlan(DType.F32);
        assertTrue(plan.shards().size() > 2, "small shards force several files: " + plan.shards().size());
        Path folder = write("f32", DType.F32, 3);
        assertTrue(Files.isRegularFile(folder.resolve(Checkpoint.INDEX_FILE)));
        long onDisk;
        try (Stream<Path> files = Files.list(folder)) {
            onDisk = files.mapToLong(p -> p.toFile().length()).sum();
        }
        long estimate = plan.estimatedFolderBytes(300);
        assertTrue(estimate >= onDisk && estimate < onDisk + (2 << 20), "estimate " + estimate + " vs " + onDisk);
        try (LoadedModel m = ModelLoader.load(folder, Device.cpu())) {
            assertEquals(plan.parameters(), ModelLoader.parameterCount(m.model()));
            GenerationResult r = Generator.answer(m, "what color is the circle?", null, GenerationSettings.greedy(3),
                    Hooks.NONE, null);
            assertTrue(r.newIds().length >= 1);
            for (long id : r.newIds()) {
                assertTrue(id >= 0 && id < 300);
            }
        }
    }

    @Test
    void valuesFollowThePlanAndTypesShareTheWeights() {
        Path f32 = write("f32", DType.F32, 5);
        Path bf16 = write("bf16", DType.BF16, 5);
        Path other = write("seed6", DType.F32, 6);
        String matrix = "language_model.model.layers.1.mlp.up_proj.weight";
        try (Checkpoint a = Checkpoint.open(f32); Checkpoint b = Checkpoint.open(bf16); Checkpoint c = Checkpoint.open(other)) {
            float[] w = floats(a, matrix);
            double sum = 0;
            double sq = 0;
            for (float x : w) {
                sum += x;
                sq += x * x;
            }
            double mean = sum / w.length;
            double std = Math.sqrt(sq / w.length - mean * mean);
            assertEquals(0.02, std, 0.002, "normal with std 0.02");
            assertEquals(0, mean, 0.002);
            for (float x : floats(a, "language_model.model.norm.weight")) {
                assertEquals(1f, x);
            }
            for (float x : floats(a, "vision_tower.vision_model.encoder.layers.0.mlp.fc1.bias")) {
                assertEquals(0f, x);
            }
            float[] rounded = floats(b, matrix);
            for (int i = 0; i < w.length; i++) {
                assertEquals(BFloat16.widen(BFloat16.round(w[i])), rounded[i], "BF16 is the F32 copy rounded");
            }
            assertTrue(!java.util.Arrays.equals(w, floats(c, matrix)), "another seed, other weights");
        }
        assertArrayEquals(floatsOf(write("again", DType.F32, 5), matrix), floatsOf(f32, matrix), "seeded");
    }

    private static float[] floatsOf(Path folder, String name) {
        try (Checkpoint c = Checkpoint.open(folder)) {
            return floats(c, name);
        }
    }

    @Test
    void fillIsTheSameWhateverTheChunking() {
        int n = 10_001;
        for (DType d : List.of(DType.F32, DType.F16, DType.BF16)) {
            ByteBuffer whole = ByteBuffer.allocate(n * d.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer parts = ByteBuffer.allocate(n * d.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
            RandomFill.gaussian(whole, 0, d, 77, 0.02, 0, n);
            RandomFill.gaussian(parts, 0, d, 77, 0.02, 0, 4321);
            RandomFill.gaussian(parts, 4321 * d.byteSize(), d, 77, 0.02, 4321, n);
            assertArrayEquals(whole.array(), parts.array(), d.name());
        }
        double sum = 0;
        double sq = 0;
        double max = 0;
        int count = 200_000;
        for (int i = 0; i < count; i++) {
            double g = RandomFill.gaussian(9, i);
            sum += g;
            sq += g * g;
            max = Math.max(max, Math.abs(g));
        }
        assertEquals(0, sum / count, 0.01);
        assertEquals(1, Math.sqrt(sq / count), 0.01);
        assertTrue(max > 3 && max <= Math.sqrt(12), "tails to about 3.46 sigma: " + max);
    }

    @Test
    void halfRoundingMatchesTheEngine() {
        List<Float> values = new ArrayList<>(List.of(0f, -0f, 1f, -2.5f, 65504f, 65519.99f, 65520f, 1e6f, 6.1035156e-5f,
                6.0e-5f, 5.96e-8f, 2.98e-8f, 2.99e-8f, 1e-9f, 0.333333f, Float.POSITIVE_INFINITY,
                Float.NEGATIVE_INFINITY));
        java.util.Random r = new java.util.Random(1);
        for (int i = 0; i < 20_000; i++) {
            values.add((float) (r.nextGaussian() * Math.pow(10, r.nextInt(14) - 9)));
        }
        float[] in = new float[values.size()];
        for (int i = 0; i < in.length; i++) {
            in[i] = values.get(i);
        }
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            ByteBuffer engine = m.create(in).toType(DataType.FLOAT16, false).toByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < in.length; i++) {
                assertEquals(engine.getShort(2 * i), RandomFill.toHalf(in[i]), "half of " + in[i]);
            }
        }
    }

    @Test
    void tooLittleDiskSpaceIsRefusedWithTheSizes() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> DiskSpace.require(dir, 14_126_854_144L, 10_000_000_000L, 0, "a llava-7b checkpoint in BF16"));
        assertTrue(e.getMessage().contains("not enough free disk space") && e.getMessage().contains("14.13 GB")
                && e.getMessage().contains("10.00 GB free") && e.getMessage().contains(dir.toString()), e.getMessage());
        // Old weights about to be replaced count as free.
        DiskSpace.require(dir, 14_126_854_144L, 10_000_000_000L, 5_000_000_000L, "x");
        assertThrows(IllegalStateException.class, () -> DiskSpace.require(dir, 1_000, 1_000 + DiskSpace.MARGIN_BYTES - 1,
                0, "x"), "the margin is kept free");
        assertTrue(DiskSpace.usableBytes(dir.resolve("not/yet/made")) > 0, "measured on the nearest existing folder");
        long estimate = RandomCheckpoints.estimatedBytes(RandomCheckpoints.Options.of(RandomPreset.LLAVA_7B, null, 1));
        assertTrue(estimate > 14_126_854_144L && estimate < 14_126_854_144L + 10_000_000L, "estimate " + estimate);
        long f32 = RandomCheckpoints.estimatedBytes(RandomCheckpoints.Options.of(RandomPreset.LLAVA_7B, DType.F32, 1));
        assertTrue(f32 > 28_000_000_000L, "F32 doubles it: " + f32);
    }

    @Test
    void explicitShardCountIsHonoured() {
        StreamingRandomWriter.Plan p = StreamingRandomWriter.plan(LlavaSpec.tinyLlama11b(), LlavaKeyLayout.LEGACY, 32000,
                DType.F32, 4, StreamingRandomWriter.MAX_SHARD_BYTES);
        assertEquals(4, p.shards().size());
        long total = p.dataBytes();
        for (StreamingRandomWriter.ShardPlan s : p.shards()) {
            assertTrue(Math.abs(s.bytes() - total / 4.0) < 0.1 * total, s.file() + " " + s.bytes());
        }
        StreamingRandomWriter.Plan auto = StreamingRandomWriter.plan(LlavaSpec.tinyLlama11b(), LlavaKeyLayout.LEGACY,
                32000, DType.F32, 0, StreamingRandomWriter.MAX_SHARD_BYTES);
        assertEquals(2, auto.shards().size(), "5.6 GB in F32: two files");
        assertEquals(1, StreamingRandomWriter.plan(LlavaSpec.tinyLlama11b(), LlavaKeyLayout.LEGACY, 32000, DType.BF16, 0,
                StreamingRandomWriter.MAX_SHARD_BYTES).shards().size(), "2.8 GB in BF16: one file");
        assertThrows(IllegalArgumentException.class, () -> StreamingRandomWriter.plan(LlavaSpec.tiny(),
                LlavaKeyLayout.LEGACY, 35, DType.F32, 10_000, 1));
    }
}
