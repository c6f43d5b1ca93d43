package org.lvlmworkbench.core.compress.apply;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.arch.llama.LlamaDecoder;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.compress.plan.PlanException;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.linalg.Whitening;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.nn.FactoredLinear;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.testing.TinyModels;

/**
 * Applying plans to the shipped sample: the compressed model is rebuilt beside the original, which
 * never changes; each depth operation is checked against the original run with the same change made
 * through hooks, and each merge formula against the formula computed here.
 */
class PlanApplierTest {

    private static final Path SAMPLE = Path.of("samples/llava-shapes");
    private static LoadedModel original;
    private static ModelShape shape;
    private static ProbeItem item;

    @BeforeAll
    static void load() {
        original = TinyModels.load(SAMPLE);
        shape = PlanApplier.shapeOf(original);
        item = ProbeSet.fromEvalFile(Path.of("samples/shapes-eval/eval.jsonl"), 1).items().get(0);
    }

    @AfterAll
    static void close() {
        original.close();
    }

    private static CompressionPlan plan() {
        return CompressionPlan.empty(shape.fingerprint());
    }

    /** The sample's logits for the probe item, float32 {@code [T·vocab]}. */
    private static float[] logits(LoadedModel model, Hooks hooks) {
        try (NDManager m = model.model().manager().newSubManager()) {
            long[] ids = model.processor().encode(item.prompt(), 1);
            NDArray pixels = model.processor().pixelValues(List.of(RgbImage.read(item.image())), m);
            return model.model().forward(m.create(ids, new Shape(1, ids.length)), pixels, hooks, null).toFloatArray();
        }
    }

    /** SVD-LLM with the identity Gram: the plain truncated SVD, exact at full rank. */
    private static final PlanApplier.Factorizer PLAIN = (matrix, weight, rank, merged) -> {
        double[] identity = new double[matrix.cols() * matrix.cols()];
        for (int i = 0; i < matrix.cols(); i++) {
            identity[i * matrix.cols() + i] = 1;
        }
        return Whitening.of(identity, matrix.cols()).truncate(weight, matrix.rows(), rank.rank());
    };

    private static void assertClose(float[] expected, float[] actual, double tolerance) {
        assertEquals(expected.length, actual.length);
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= tolerance, "largest difference " + worst + " > " + tolerance);
    }

    private static String hash(Path folder) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        try (var files = Files.list(folder)) {
            for (Path f : files.sorted().toList()) {
                d.update(Files.readAllBytes(f));
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    @Test
    void anEmptyPlanAndAOneLayerMergeRebuildTheSameModel() {
        float[] reference = logits(original, Hooks.NONE);
        for (CompressionPlan p : List.of(plan(), plan().withMerge(new MergeGroup(3, 3, MergeFormula.RDSC)))) {
            try (LoadedModel rebuilt = PlanApplier.apply(original, p, PLAIN)) {
                assertArrayEquals(reference, logits(rebuilt, Hooks.NONE), p.toJsonString());
            }
        }
    }

    @Test
    void droppingALayerEqualsSkippingItInTheOriginal() {
        LlamaDecoder decoder = (LlamaDecoder) original.model().decoder();
        int layer = 5;
        NDArray[] entering = new NDArray[1];
        var block = HookPoints.text(layer);
        Hooks skip = new Hooks().replace(block.residPre(), (point, x) -> entering[0] = x)
                .replace(block.residPost(), (point, x) -> entering[0]);
        float[] skipped = logits(original, skip);
        try (LoadedModel dropped = PlanApplier.apply(original, plan().withDroppedLayer(layer, true), PLAIN)) {
            assertEquals(decoder.numLayers() - 1, dropped.model().decoder().numLayers());
            assertClose(skipped, logits(dropped, Hooks.NONE), 1e-5);
        }
    }

    @Test
    void droppingSubLayersEqualsZeroingTheirOutputInTheOriginal() {
        Hooks noAttention = new Hooks().replace(HookPoints.text(2).attnOut(), (point, x) -> x.zerosLike());
        Hooks noMlp = new Hooks().replace(HookPoints.text(6).mlpOut(), (point, x) -> x.zerosLike());
        try (LoadedModel a = PlanApplier.apply(original, plan().withDroppedAttention(2, true), PLAIN);
                LoadedModel m = PlanApplier.apply(original, plan().withDroppedMlp(6, true), PLAIN)) {
            assertClose(logits(original, noAttention), logits(a, Hooks.NONE), 1e-5);
            assertClose(logits(original, noMlp), logits(m, Hooks.NONE), 1e-5);
            LlamaDecoder d = (LlamaDecoder) a.model().decoder();
            assertFalse(d.layers().get(2).hasAttention());
            assertTrue(d.layers().get(2).hasMlp());
            assertEquals(shape.matrices().size() - 4, a.model().linears().size(), "q, k, v and o are gone");
        }
    }

    @Test
    void rdscMergesByTheFormulaAndDiffersFromCopyingTheTopLayer() {
        MergeGroup rdsc = new MergeGroup(2, 4, MergeFormula.RDSC);
        MergeGroup copy = new MergeGroup(2, 4, MergeFormula.COPY_TOP);
        List<LlamaDecoder.Layer> layers = ((LlamaDecoder) original.model().decoder()).layers();
        float[] q2 = layers.get(2).q.weightRows();
        float[] q3 = layers.get(3).q.weightRows();
        float[] q4 = layers.get(4).q.weightRows();
        float[] norm2 = weight(original, 2, "input_layernorm");
        try (LoadedModel merged = PlanApplier.apply(original, plan().withMerge(rdsc), PLAIN);
                LoadedModel copied = PlanApplier.apply(original, plan().withMerge(copy), PLAIN)) {
            assertEquals(6, merged.model().decoder().numLayers());
            float[] q = ((LlamaDecoder) merged.model().decoder()).layers().get(2).q.weightRows();
            for (int i = 0; i < q.length; i++) {
                assertEquals(q2[i] + (q3[i] - q2[i]) + (q4[i] - q2[i]), q[i], 1e-6, "θ_l + Σ(θ_l+k − θ_l) at " + i);
            }
            assertArrayEquals(q4, ((LlamaDecoder) copied.model().decoder()).layers().get(2).q.weightRows(),
                    "copy-top is the top layer's weight");
            assertArrayEquals(norm2, weight(merged, 2, "input_layernorm"), "norms stay the bottom layer's");
            // Layers above the group move down by two and keep their weights.
            assertArrayEquals(layers.get(5).down.weightRows(),
                    ((LlamaDecoder) merged.model().decoder()).layers().get(3).down.weightRows());
            float[] a = logits(merged, Hooks.NONE);
            float[] b = logits(copied, Hooks.NONE);
            double diff = 0;
            for (int i = 0; i < a.length; i++) {
                diff = Math.max(diff, Math.abs(a[i] - b[i]));
            }
            assertTrue(diff > 1e-3, "RDSC and layer copy give different models, largest logit difference " + diff);
        }
    }

    private static float[] weight(LoadedModel model, int layer, String norm) {
        String key = model.model().parameterSizes().keySet().stream()
                .filter(k -> k.endsWith("layers." + layer + "." + norm + ".weight")).findFirst().orElseThrow();
        return model.model().parameters().get(key).toFloatArray();
    }

    @Test
    void fullRankFactorsReproduceTheModelAndLowRankShrinksIt() {
        LinearWeight up3 = original.model().linears().stream()
                .filter(w -> w.component().equals("text") && w.layer() == 3 && w.role().equals("up")).findFirst().orElseThrow();
        LinearWeight q = original.model().linears().stream()
                .filter(w -> w.component().equals("vision") && w.layer() == 1 && w.role().equals("q")).findFirst().orElseThrow();
        int full = (int) Math.min(up3.rows(), up3.cols());
        CompressionPlan exact = plan().withRank(up3.name(), new MatrixRank(full, "plain"))
                .withRank(q.name(), new MatrixRank((int) q.cols(), "plain"));
        try (LoadedModel factored = PlanApplier.apply(original, exact, PLAIN)) {
            LinearWeight rebuilt = factored.model().linears().stream().filter(w -> w.name().equals(up3.name())).findFirst()
                    .orElseThrow();
            assertInstanceOf(FactoredLinear.class, rebuilt.map());
            assertEquals(full, ((FactoredLinear) rebuilt.map()).rank());
            // Float32 prefill GEMMs on both sides: on an AVX-512 BF16 CPU the original's BF16 weights
            // would otherwise run through bf16 activations (Bf16Gemm) and the factors would not.
            org.lvlmworkbench.testing.SystemProperties.with(org.lvlmworkbench.core.nn.Bf16Gemm.SETTING, "f32",
                    () -> assertClose(logits(original, Hooks.NONE), logits(factored, Hooks.NONE), 2e-4));
        }
        CompressionPlan small = plan().withRank(up3.name(), new MatrixRank(8, "plain"));
        try (LoadedModel factored = PlanApplier.apply(original, small, PLAIN)) {
            long before = org.lvlmworkbench.core.loading.ModelLoader.parameterCount(original.model());
            long after = org.lvlmworkbench.core.loading.ModelLoader.parameterCount(factored.model());
            assertEquals(before - up3.rows() * up3.cols() + 8 * (up3.rows() + up3.cols()), after);
        }
    }

    @Test
    void theOriginalAndItsFolderAreNeverTouched() throws Exception {
        String folderBefore = hash(SAMPLE);
        float[] before = logits(original, Hooks.NONE);
        CompressionPlan p = plan().withMerge(new MergeGroup(1, 2, MergeFormula.RDSC)).withDroppedLayer(6, true)
                .withRank(shape.matrices().keySet().iterator().next(), new MatrixRank(4, "plain"));
        try (LoadedModel compressed = PlanApplier.apply(original, p, PLAIN)) {
            assertEquals(6, compressed.model().decoder().numLayers());
            assertArrayEquals(before, logits(original, Hooks.NONE), "the original runs as before, beside the compressed one");
        }
        assertArrayEquals(before, logits(original, Hooks.NONE));
        assertEquals(folderBefore, hash(SAMPLE));
    }

    @Test
    void tokenPruningRidesInTheConfigReindexedPastDroppedLayers() {
        CompressionPlan p = plan().withDroppedLayer(1, true).withTokenPruning(
                org.lvlmworkbench.core.model.pruning.VisualTokenPruning.fastV(3, 0.5));
        try (LoadedModel pruned = PlanApplier.apply(original, p, PLAIN)) {
            assertEquals(org.lvlmworkbench.core.model.pruning.VisualTokenPruning.fastV(2, 0.5), pruned.model().pruning(),
                    "original layer 3 is layer 2 once layer 1 is gone");
            assertEquals(original.model().withPruning(org.lvlmworkbench.core.model.pruning.VisualTokenPruning.NONE)
                    .pruning(), org.lvlmworkbench.core.model.pruning.VisualTokenPruning.NONE);
        }
    }

    @Test
    void derivingDescribesTheCheckpointAndComputesNothingUntilAsked() {
        String up3 = shape.matrices().keySet().stream().filter(n -> n.contains("layers.3.mlp.up_proj")).findFirst()
                .orElseThrow();
        CompressionPlan p = plan().withDroppedLayer(1, true).withMerge(new MergeGroup(4, 5, MergeFormula.RDSC))
                .withRank(up3, new MatrixRank(8, "plain"));
        int[] calls = new int[1];
        PlanApplier.Factorizer counting = (matrix, weight, rank, merged) -> {
            calls[0]++;
            return PLAIN.factorize(matrix, weight, rank, merged);
        };
        try (PlanApplier.Derived d = PlanApplier.derive(original, shape, p, counting)) {
            assertEquals(0, calls[0], "deriving factorises nothing");
            String newUp = up3.replace("layers.3.", "layers.2.");
            PlanApplier.Factored f = d.tensors().stream().filter(t -> t instanceof PlanApplier.Factored)
                    .map(t -> (PlanApplier.Factored) t).findFirst().orElseThrow();
            assertEquals(newUp.substring(0, newUp.length() - ".weight".length()), f.module(), "re-indexed past the drop");
            assertEquals(8, d.lowRankRanks().get(f.module()));
            assertTrue(d.tensors().stream().anyMatch(t -> t instanceof PlanApplier.Computed c
                    && c.name().contains("layers.3.self_attn.q_proj")), "the merge 4..5 is layer 3 now");
            assertEquals(6, d.config().getAsJsonObject("text_config").get("num_hidden_layers").getAsInt());
            PlanApplier.Factors factors = f.factors().get();
            assertEquals(1, calls[0]);
            assertEquals(8L * f.cols(), factors.down().length);
            assertEquals((long) f.rows() * 8, factors.up().length);
        }
    }

    @Test
    void aPlanForAnotherModelOrWithBadEntriesIsRefused() {
        String q = shape.matrices().keySet().iterator().next();
        PlanException other = assertThrows(PlanException.class,
                () -> PlanApplier.apply(original, CompressionPlan.empty("0123456789abcdef"), PLAIN));
        assertTrue(other.getMessage().contains("model_fingerprint"), other.getMessage());
        PlanException rank = assertThrows(PlanException.class,
                () -> PlanApplier.apply(original, plan().withRank(q, new MatrixRank(10_000, "plain")), PLAIN));
        assertTrue(rank.getMessage().contains(q) && rank.getMessage().contains("outside"), rank.getMessage());
    }
}
