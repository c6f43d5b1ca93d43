package org.lvlmworkbench.core.compress.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.tokens.PrunedRun;
import org.lvlmworkbench.core.compress.Compressor;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/** Fitting adaptive pruning's attention mass to a mean share of image tokens removed. */
class AdaptiveMassTest {

    @Test
    void uniformScoresGiveTheShareExactlyAndPeakedOnesRemoveMore() {
        float[] uniform = new float[10];
        java.util.Arrays.fill(uniform, 0.1f);
        AdaptiveMass.Fit half = AdaptiveMass.fit(List.of(uniform), 0.5, 1);
        assertEquals(0.5, half.removedShare(), 1e-12);
        assertEquals(0.5, half.mass(), 0.1, "about half the mass keeps half of equal tokens");
        assertEquals(0.0, AdaptiveMass.fit(List.of(uniform), 0.0, 1).removedShare(), 1e-12);
        // One token holds 91 % of the attention: at a mass that removes half of the uniform item's tokens
        // it removes 9 of 10 here; the mean over both items is what the fit matches.
        float[] peaked = {0.91f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f};
        AdaptiveMass.Fit both = AdaptiveMass.fit(List.of(uniform, peaked), 0.6, 1);
        assertEquals(2, both.items());
        assertTrue(Math.abs(both.removedShare() - 0.6) <= 0.05 + 1e-12, "within half a token step: " + both);
        assertTrue(both.largestShare() > both.smallestShare(), both.toString());
        // The floor on the count bounds what can be removed; the fit says what it reached.
        AdaptiveMass.Fit floor = AdaptiveMass.fit(List.of(peaked), 0.95, 4);
        assertEquals(0.6, floor.removedShare(), 1e-12);
    }

    @Test
    void refusesSharesOutsideZeroToOne() {
        float[] s = {0.5f, 0.5f};
        assertThrows(IllegalArgumentException.class, () -> AdaptiveMass.fit(List.of(s), 1.0, 1));
        assertThrows(IllegalArgumentException.class, () -> AdaptiveMass.fit(List.of(s), -0.1, 1));
        assertThrows(IllegalArgumentException.class, () -> AdaptiveMass.fit(List.of(), 0.5, 1));
    }

    @Test
    void theFittedMassRemovesTheFittedShareInTheForwardPass() {
        Path eval = Path.of("samples/shapes-eval/eval.jsonl");
        List<ProbeItem> items = ProbeSet.fromEvalFile(eval, 6).items();
        try (LoadedModel model = ModelLoader.load(Path.of("samples/llava-shapes"))) {
            Compressor c = new Compressor(model, items, eval.toString());
            AdaptiveMass.Fit fit = c.adaptiveMass(2, 0.5, 1, Progress.NONE);
            assertEquals(6, fit.items());
            assertTrue(Math.abs(fit.removedShare() - 0.5) < 0.1, fit.toString());
            // The run-time policy at that mass, on the same items, removes what the fit computed from the scores.
            VisualTokenPruning policy = VisualTokenPruning.adaptive(2, fit.mass(), 1);
            double removed = 0;
            for (ProbeItem item : items) {
                PrunedRun run = PrunedRun.of(model, item, policy, Progress.NONE);
                // The stage's kept positions hold the text tokens too, which are never removed.
                int[] images = run.table().imagePositions();
                long keptImages = java.util.Arrays.stream(run.kept().get(0))
                        .filter(p -> java.util.Arrays.binarySearch(images, (int) p) >= 0).count();
                removed += 1 - (double) keptImages / images.length;
            }
            assertEquals(fit.removedShare(), removed / items.size(), 1e-9);
        }
    }
}
