package org.lvlmworkbench.core.analysis.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;

/** Layer similarity wired to the shipped sample's forward passes. */
class LayerSimilarityTest {

    @Test
    void computesEveryMatrixAndTheBlockInfluenceOnTheSample() {
        try (LoadedModel model = ModelLoader.load(Path.of("samples/llava-shapes"))) {
            ProbeSet probes = ProbeSet.fromEvalFile(Path.of("samples/shapes-eval/eval.jsonl"), 12);
            SimilaritySettings settings = new SimilaritySettings(64, 16, 0.5, 3);
            java.util.List<SimilarityResult> partial = new java.util.ArrayList<>();
            SimilarityResult r = LayerSimilarity.run(model, probes, settings, Progress.NONE, partial::add);
            assertTrue(partial.size() >= 2, "the estimate is handed on as minibatches complete: " + partial.size());
            long previous = 0;
            for (SimilarityResult p : partial) {
                long examples = p.matrix("text", TokenSelection.ALL, CkaKernel.LINEAR).examples();
                assertTrue(examples > previous, "each partial sums more minibatches");
                previous = examples;
            }
            int entries = model.model().decoder().numLayers() + 1;
            for (TokenSelection s : TokenSelection.values()) {
                for (CkaKernel k : CkaKernel.values()) {
                    CkaMatrix m = r.matrix("text", s, k);
                    assertNotNull(m, s + " " + k);
                    assertEquals(entries, m.values().length);
                    for (int i = 0; i < entries; i++) {
                        assertEquals(1, m.values()[i][i], 1e-9, "diagonal");
                        for (int j = 0; j < entries; j++) {
                            assertEquals(m.values()[i][j], m.values()[j][i], 1e-12, "symmetric");
                            assertTrue(m.values()[i][j] <= 1 + 1e-9);
                        }
                    }
                    assertTrue(m.minibatches() >= 2, "several minibatches summed: " + m.minibatches());
                }
            }
            assertEquals(12L * 16, r.matrix("text", TokenSelection.ALL, CkaKernel.LINEAR).examples(),
                    "16 drawn positions per item");
            CkaMatrix vision = r.matrix("vision", TokenSelection.IMAGE, CkaKernel.LINEAR);
            assertNotNull(vision, "the vision tower's layers too");
            LayerInfluence all = r.influence().stream().filter(i -> i.tokens() == TokenSelection.ALL).findFirst()
                    .orElseThrow();
            assertEquals(entries - 1, all.influence().length);
            for (int b = 0; b < all.influence().length; b++) {
                assertTrue(all.influence()[b] >= 0 && all.influence()[b] <= 2, "influence in [0, 2]");
                assertTrue(Math.abs(all.lastTokenCosine()[b]) <= 1 + 1e-12);
            }
            // Neighbouring layers of a residual stack are more alike than the first and the last.
            double[][] cka = r.matrix("text", TokenSelection.ALL, CkaKernel.LINEAR).values();
            assertTrue(cka[entries - 2][entries - 1] > cka[0][entries - 1], "adjacent vs distant layers");
        }
    }
}
