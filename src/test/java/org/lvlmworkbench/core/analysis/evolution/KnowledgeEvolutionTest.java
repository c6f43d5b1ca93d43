package org.lvlmworkbench.core.analysis.evolution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.EncodedProbe;
import org.lvlmworkbench.core.analysis.probe.ProbeEncoder;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.probe.TokenInfo;
import org.lvlmworkbench.core.analysis.probe.TokenKind;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.ForwardInputs;

/** The logit lens and the token table on the shipped sample model. */
class KnowledgeEvolutionTest {

    private static final Path SAMPLE = Path.of("samples/llava-shapes");
    private static final Path EVAL = Path.of("samples/shapes-eval/eval.jsonl");
    private static LoadedModel model;
    private static ProbeItem item;

    @BeforeAll
    static void open() {
        model = ModelLoader.load(SAMPLE);
        item = ProbeSet.fromEvalFile(EVAL, 1).items().get(0);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void theLastLayersLensIsTheModelsOwnOutput() {
        EvolutionSettings settings = new EvolutionSettings(LensMode.NORMED, 5, 1, false, StageSettings.DEFAULT);
        ItemEvolution evolution = KnowledgeEvolution.runItem(model, item, settings, Progress.NONE);
        PositionEvolution first = evolution.step(0);
        int entries = model.model().decoder().numLayers() + 1;
        assertEquals(entries, first.layers().size());
        double[] own = ownDistribution();
        LayerPrediction last = first.layers().get(entries - 1);
        for (int i = 0; i < last.topIds().length; i++) {
            assertEquals(own[(int) last.topIds()[i]], last.topProbs()[i], 1e-6, "top " + i);
        }
        assertEquals(argmax(own), last.topIds()[0]);
        assertEquals(argmax(own), first.emittedId(), "the emitted token is the model's greedy choice");
        assertEquals(0, first.jsToFinal()[entries - 1], 1e-12);
        assertEquals(1, last.emittedRank());
    }

    @Test
    void theRawLensDiffersBelowTheTopButNotAtIt() {
        ItemEvolution normed = KnowledgeEvolution.runItem(model, item,
                new EvolutionSettings(LensMode.NORMED, 3, 1, false, StageSettings.DEFAULT), Progress.NONE);
        ItemEvolution raw = KnowledgeEvolution.runItem(model, item,
                new EvolutionSettings(LensMode.RAW, 3, 1, false, StageSettings.DEFAULT), Progress.NONE);
        int last = normed.step(0).layers().size() - 1;
        assertArrayEquals(normed.step(0).layers().get(last).topProbs(), raw.step(0).layers().get(last).topProbs(),
                1e-12, "the model's output is normalised once in both modes");
        assertNotEquals(normed.step(0).layers().get(1).entropyBits(), raw.step(0).layers().get(1).entropyBits(),
                "below the top the raw lens skips the final norm");
    }

    @Test
    void theTokenTableComesFromTheProcessor() {
        try (NDManager scope = model.model().manager().newSubManager()) {
            EncodedProbe probe = ProbeEncoder.encode(model, item, scope);
            TokenTable table = probe.table();
            int[] images = table.imagePositions();
            int grid = table.grids().get(0).rows() * table.grids().get(0).cols();
            assertEquals(grid, images.length, "one position per patch");
            for (int i = 0; i < images.length; i++) {
                TokenInfo t = table.get(images[i]);
                assertEquals(i / table.grids().get(0).cols(), t.row());
                assertEquals(i % table.grids().get(0).cols(), t.col());
            }
            String question = String.join("", table.tokens().stream().filter(t -> t.kind() == TokenKind.QUESTION)
                    .map(TokenInfo::text).toList());
            assertTrue(question.replace(" ", "").contains(item.prompt().replace(" ", "").replace("?", "")),
                    "question tokens '" + question + "' for '" + item.prompt() + "'");
            assertTrue(table.tokens().stream().anyMatch(t -> t.kind() == TokenKind.TEMPLATE), "template text");
        }
        ItemEvolution evolution = KnowledgeEvolution.runItem(model, item,
                new EvolutionSettings(LensMode.NORMED, 3, 4, true, StageSettings.DEFAULT), Progress.NONE);
        TokenTable table = evolution.run().table();
        List<TokenInfo> generated = table.generated();
        for (int s = 0; s < generated.size(); s++) {
            assertEquals(s, generated.get(s).step());
            assertEquals(TokenKind.GENERATED, generated.get(s).kind());
        }
        assertTrue(evolution.positions().stream().filter(p -> p.step() < 0).count() > 3, "prompt positions followed");
        assertEquals(item.expected(), evolution.run().answer().strip());
    }

    private static double[] ownDistribution() {
        try (NDManager scope = model.model().manager().newSubManager()) {
            EncodedProbe probe = ProbeEncoder.encode(model, item, scope);
            NDArray ids = scope.create(probe.promptIds(), new Shape(1, probe.promptIds().length));
            float[] logits = model.model().forward(ForwardInputs.of(ids, probe.pixelValues()).lastLogitsOnly(),
                    Hooks.NONE, null).toFloatArray();
            return JensenShannon.softmax(logits, 0, logits.length);
        }
    }

    private static long argmax(double[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) {
            if (p[i] > p[best]) {
                best = i;
            }
        }
        return best;
    }
}
