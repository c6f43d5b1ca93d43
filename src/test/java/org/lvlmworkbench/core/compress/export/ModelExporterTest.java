package org.lvlmworkbench.core.compress.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.compress.apply.PlanApplier;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.PlanException;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.nn.Bf16Gemm;
import org.lvlmworkbench.core.nn.FactoredLinear;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.testing.SystemProperties;
import org.lvlmworkbench.testing.TinyModels;

/**
 * Exports of the shipped sample: the project's own loader reopens every kind and computes what the
 * in-memory compressed model computes; existing folders, foreign plans and cancels are handled
 * safely, and the source folder is never written.
 */
class ModelExporterTest {

    static final Path SAMPLE = Path.of("samples/llava-shapes");
    private static final ExportOptions F32 = ExportOptions.DEFAULTS.withDtype(DType.F32);
    private static LoadedModel original;
    private static String fingerprint;
    private static ProbeItem item;
    private static String sourceHashes;

    @BeforeAll
    static void load() throws Exception {
        sourceHashes = FolderHashes.of(SAMPLE);
        original = TinyModels.load(SAMPLE);
        fingerprint = PlanApplier.shapeOf(original).fingerprint();
        item = ProbeSet.fromEvalFile(Path.of("samples/shapes-eval/eval.jsonl"), 1).items().get(0);
    }

    @AfterAll
    static void close() throws Exception {
        original.close();
        assertEquals(sourceHashes, FolderHashes.of(SAMPLE), "the source folder's files are unchanged after every export");
    }

    /** Logits of every row the model keeps for the probe item, float32; the reference GEMM path, as HF computes. */
    private static float[] logits(LoadedModel model) {
        return SystemProperties.with(Bf16Gemm.SETTING, "f32", () -> {
            try (NDManager m = model.model().manager().newSubManager()) {
                long[] ids = model.processor().encode(item.prompt(), 1);
                NDArray pixels = model.processor().pixelValues(List.of(RgbImage.read(item.image())), m);
                return model.model().forward(m.create(ids, new Shape(1, ids.length)), pixels, Hooks.NONE, null)
                        .toFloatArray();
            }
        });
    }

    private static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length, "same number of logits");
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }

    private static JsonObject config(Path folder) {
        return JsonFields.read(folder.resolve("config.json")).raw();
    }

    /** Exports {@code plan}, reopens the folder and compares its logits with the in-memory compressed model's. */
    private static ModelExporter.Result exportAndCompare(CompressionPlan plan, ExportOptions options, Path out,
            double tolerance, Consumer<LoadedModel> check) {
        ModelExporter.Result r = ModelExporter.export(original, ExportPlans.PLAIN, plan, out, options, Progress.NONE);
        assertEquals(out.toAbsolutePath().normalize(), r.folder());
        try (LoadedModel compressed = PlanApplier.apply(original, plan, ExportPlans.PLAIN);
                LoadedModel reopened = ModelLoader.load(out)) {
            double diff = maxDiff(logits(compressed), logits(reopened));
            assertTrue(diff <= tolerance, plan.toJsonString() + ": reopened export differs by " + diff + " > " + tolerance);
            if (!options.dense()) {
                assertEquals(ModelLoader.parameterCount(compressed.model()), ModelLoader.parameterCount(reopened.model()));
            }
            if (check != null) {
                check.accept(reopened);
            }
        }
        return r;
    }

    @Test
    void mergesAndDropsExportAsAPlainCheckpoint(@TempDir Path dir) {
        Path out = dir.resolve("merged");
        ModelExporter.Result r = exportAndCompare(ExportPlans.mergeAndDrop(fingerprint), F32, out, 1e-5, null);
        assertEquals(ModelExporter.Kind.PLAIN, r.kind());
        JsonObject c = config(out);
        assertEquals(6, c.getAsJsonObject("text_config").get("num_hidden_layers").getAsInt());
        assertFalse(c.has("auto_map"));
        assertFalse(Files.exists(out.resolve(ModelExporter.MODELING_FILE)));
        assertEquals("float32", c.get("torch_dtype").getAsString());
        for (String f : List.of("tokenizer.json", "tokenizer_config.json", "chat_template.json", "preprocessor_config.json",
                "processor_config.json", "generation_config.json", ModelExporter.PLAN_FILE, Checkpoint.SINGLE_FILE)) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f + " is in the export");
        }
        assertEquals(ExportPlans.mergeAndDrop(fingerprint), CompressionPlan.read(out.resolve(ModelExporter.PLAN_FILE)));
        try (Checkpoint ck = Checkpoint.open(out)) {
            assertFalse(ck.contains("language_model.model.layers.6.input_layernorm.weight"), "six layers, 0..5");
            assertTrue(ck.names().stream().allMatch(n -> ck.entry(n).dtype() == DType.F32));
        }
    }

    @Test
    void lowRankFactorsAndSubLayerDropsExportWithTheirRanksAndModelingCode(@TempDir Path dir) {
        Path out = dir.resolve("factored");
        CompressionPlan plan = ExportPlans.lowRank(fingerprint);
        ModelExporter.Result r = exportAndCompare(plan, F32, out, 1e-5, reopened -> {
            LinearWeight q0 = reopened.model().linears().stream()
                    .filter(w -> w.name().equals("language_model.model.layers.0.self_attn.q_proj.weight")).findFirst()
                    .orElseThrow();
            assertEquals(8, assertInstanceOf(FactoredLinear.class, q0.map()).rank());
        });
        assertEquals(ModelExporter.Kind.REMOTE_CODE, r.kind());
        JsonObject c = config(out);
        assertEquals("modeling_lvlm_compressed." + ModelExporter.MODEL_CLASS,
                c.getAsJsonObject("auto_map").get(ModelExporter.AUTO_CLASS).getAsString());
        assertEquals(ModelExporter.MODEL_CLASS, c.getAsJsonArray("architectures").get(0).getAsString());
        JsonObject ranks = c.getAsJsonObject("low_rank_ranks");
        assertEquals(ExportPlans.mixedRanks().size(), ranks.size());
        assertEquals(40, ranks.get("language_model.model.layers.4.mlp.down_proj").getAsInt());
        assertEquals(32, ranks.get("multi_modal_projector.linear_1").getAsInt());
        assertEquals("[6]", c.getAsJsonObject("text_config").get("drop_attn_list").toString());
        assertEquals(ModelExporter.modelingCode(), read(out.resolve(ModelExporter.MODELING_FILE)));
        try (Checkpoint ck = Checkpoint.open(out)) {
            assertArrayEquals(new long[] {8, 96}, ck.entry("language_model.model.layers.0.self_attn.q_proj.down.weight").shape());
            assertArrayEquals(new long[] {96, 8}, ck.entry("language_model.model.layers.0.self_attn.q_proj.up.weight").shape());
            assertTrue(ck.contains("multi_modal_projector.linear_1.bias"), "a factored map keeps its bias");
            assertFalse(ck.contains("language_model.model.layers.6.self_attn.q_proj.weight"));
        }
    }

    @Test
    void denseExportMultipliesTheFactorsBack(@TempDir Path dir) {
        Path out = dir.resolve("dense");
        ModelExporter.Result r = exportAndCompare(ExportPlans.ranksOnly(fingerprint), F32.withDense(true), out, 1e-5,
                reopened -> {
                    assertTrue(reopened.model().linears().stream().noneMatch(w -> w.map() instanceof FactoredLinear));
                });
        assertEquals(ModelExporter.Kind.PLAIN, r.kind());
        assertFalse(config(out).has("low_rank_ranks"));
        assertFalse(config(out).has("auto_map"));
    }

    @Test
    void tokenPruningRidesInTheConfigAndNeedsTheModelingCode(@TempDir Path dir) {
        Path out = dir.resolve("fastv");
        ModelExporter.Result r = exportAndCompare(ExportPlans.fastV(fingerprint), F32, out, 1e-5, reopened -> {
            assertEquals(org.lvlmworkbench.core.model.pruning.VisualTokenPruning.fastV(2, 0.5), reopened.model().pruning());
        });
        assertEquals(ModelExporter.Kind.REMOTE_CODE, r.kind());
        assertTrue(config(out).has("visual_token_pruning"));
        assertFalse(config(out).has("low_rank_ranks"));
    }

    @Test
    void shardsAboveTheThresholdWithAnIndexAndWritesSixteenBitTypes(@TempDir Path dir) {
        Path out = dir.resolve("sharded");
        ModelExporter.Result r = exportAndCompare(ExportPlans.lowRank(fingerprint), F32.withShardBytes(1_000_000), out,
                1e-5, null);
        assertTrue(r.files().contains(Checkpoint.INDEX_FILE), r.files().toString());
        long shards = r.files().stream().filter(f -> f.matches("model-0000\\d-of-0000\\d\\.safetensors")).count();
        assertTrue(shards > 1, r.files().toString());
        assertTrue(r.files().contains(String.format("model-%05d-of-%05d.safetensors", shards, shards)), r.files().toString());
        assertFalse(Files.exists(out.resolve(Checkpoint.SINGLE_FILE)));
        for (DType t : List.of(DType.BF16, DType.F16)) {
            Path half = dir.resolve(t.name());
            // 16-bit storage rounds the merged and factored weights: close, not equal.
            exportAndCompare(ExportPlans.lowRank(fingerprint), ExportOptions.DEFAULTS.withDtype(t), half, 0.05, null);
            try (Checkpoint ck = Checkpoint.open(half)) {
                assertTrue(ck.names().stream().allMatch(n -> ck.entry(n).dtype() == t));
            }
        }
    }

    @Test
    void anExistingFolderIsReplacedOnlyWithForceAndOnlyWhenTheNewOneIsComplete(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("model");
        ModelExporter.export(original, ExportPlans.PLAIN, ExportPlans.mergeAndDrop(fingerprint), out, F32, Progress.NONE);
        String first = FolderHashes.of(out);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> ModelExporter.export(original,
                ExportPlans.PLAIN, ExportPlans.fastV(fingerprint), out, F32, Progress.NONE));
        assertTrue(refused.getMessage().contains("already exists") && refused.getMessage().contains("--force"),
                refused.getMessage());
        assertEquals(first, FolderHashes.of(out), "refused: the folder is as it was");

        // A cancelled forced replace leaves the previous folder and nothing else.
        AtomicInteger updates = new AtomicInteger();
        Progress cancelling = Progress.of(() -> updates.get() > 5, (f, m) -> updates.incrementAndGet());
        assertThrows(CancellationException.class, () -> ModelExporter.export(original, ExportPlans.PLAIN,
                ExportPlans.lowRank(fingerprint), out, F32.withForce(true), cancelling));
        assertEquals(first, FolderHashes.of(out), "cancelled: the previous folder is intact");
        assertEquals(List.of("model"), listing(dir), "no temporary folder is left behind");

        ModelExporter.export(original, ExportPlans.PLAIN, ExportPlans.lowRank(fingerprint), out, F32.withForce(true),
                Progress.NONE);
        assertTrue(Files.exists(out.resolve(ModelExporter.MODELING_FILE)), "replaced by the new export");
        assertEquals(List.of("model"), listing(dir));

        Path other = Files.createDirectories(dir.resolve("photos"));
        Files.writeString(other.resolve("a.txt"), "not a model");
        IllegalArgumentException notModel = assertThrows(IllegalArgumentException.class, () -> ModelExporter.export(
                original, ExportPlans.PLAIN, ExportPlans.mergeAndDrop(fingerprint), other, F32.withForce(true),
                Progress.NONE));
        assertTrue(notModel.getMessage().contains("not a model folder"), notModel.getMessage());
    }

    @Test
    void leftoversOfKilledExportsAreRemovedAndAPreviousFolderPutBack(@TempDir Path dir) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid();
        Path unfinished = Files.createDirectories(dir.resolve(".m.export-" + dead + "-0badc0de.partial"));
        Files.writeString(unfinished.resolve("model.safetensors.partial"), "half");
        Path previous = Files.createDirectories(dir.resolve(".m.previous-" + dead + "-0badc0de.partial"));
        Files.writeString(previous.resolve("config.json"), "{}");
        Path out = dir.resolve("m");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelExporter.export(original,
                ExportPlans.PLAIN, ExportPlans.mergeAndDrop(fingerprint), out, F32, Progress.NONE));
        assertTrue(e.getMessage().contains("already exists"), "the previous folder is back, and kept: " + e.getMessage());
        assertEquals("{}", Files.readString(out.resolve("config.json")));
        assertEquals(List.of("m"), listing(dir), "the unfinished folder is gone");
    }

    @Test
    void aForeignPlanOrATargetInsideTheSourceIsRefusedAndNothingIsWritten(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("x");
        PlanException foreign = assertThrows(PlanException.class, () -> ModelExporter.export(original, ExportPlans.PLAIN,
                ExportPlans.mergeAndDrop("0123456789abcdef"), out, F32, Progress.NONE));
        assertTrue(foreign.getMessage().contains("model_fingerprint"), foreign.getMessage());
        assertEquals(List.of(), listing(dir));
        IllegalArgumentException inside = assertThrows(IllegalArgumentException.class, () -> ModelExporter.export(original,
                ExportPlans.PLAIN, ExportPlans.mergeAndDrop(fingerprint), SAMPLE.resolve("compressed"), F32.withForce(true),
                Progress.NONE));
        assertTrue(inside.getMessage().contains("outside the source"), inside.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ModelExporter.export(original, ExportPlans.PLAIN,
                ExportPlans.mergeAndDrop(fingerprint), SAMPLE, F32.withForce(true), Progress.NONE));
    }

    @Test
    void theEstimateMatchesWhatIsWritten(@TempDir Path dir) {
        CompressionPlan plan = ExportPlans.lowRank(fingerprint);
        ModelExporter.Estimate e = ModelExporter.estimate(original, plan, F32);
        ModelExporter.Result r = ModelExporter.export(original, ExportPlans.PLAIN, plan, dir.resolve("e"), F32,
                Progress.NONE);
        assertEquals(e.kind(), r.kind());
        assertEquals(e.parameters(), r.parameters());
        long weights = 0;
        try (Checkpoint ck = Checkpoint.open(dir.resolve("e"))) {
            for (String n : ck.names()) {
                weights += ck.entry(n).byteLength();
            }
        }
        assertEquals(e.weightBytes(), weights);
        assertTrue(e.totalBytes() >= r.bytes() - 4096, e + " vs " + r.bytes());
    }

    private static List<String> listing(Path dir) throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
