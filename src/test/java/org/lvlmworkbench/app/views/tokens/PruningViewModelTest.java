package org.lvlmworkbench.app.views.tokens;

import org.lvlmworkbench.core.analysis.tokens.KeptPatches;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.core.analysis.probe.TokenInfo;
import org.lvlmworkbench.core.analysis.probe.TokenKind;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.model.PatchGrid;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/** The pruning controls' arithmetic without a toolkit or a model: policies from the controls, kept patches on the grid. */
class PruningViewModelTest {

    /** Two text tokens, a 2 × 2 patch grid (positions 2..5), one more text token. */
    private static TokenTable table() {
        List<TokenInfo> tokens = new ArrayList<>();
        tokens.add(new TokenInfo(0, TokenKind.SPECIAL, 1, "<s>", -1, -1, -1, -1));
        tokens.add(new TokenInfo(1, TokenKind.TEMPLATE, 5, "USER", -1, -1, -1, -1));
        for (int i = 0; i < 4; i++) {
            tokens.add(new TokenInfo(2 + i, TokenKind.IMAGE, 32, "img", -1, 0, i / 2, i % 2));
        }
        tokens.add(new TokenInfo(6, TokenKind.QUESTION, 9, "what", -1, -1, -1, -1));
        return new TokenTable(tokens, List.of(new PatchGrid(2, 2, false, null)), 7);
    }

    @Test
    void keptPatchesShowTheLayerEachPatchIsGoneFrom() {
        // Stage 1 before layer 2 keeps patches at positions 3, 4, 5; stage 2 before layer 5 keeps 4 only.
        KeptPatches k = KeptPatches.of(table(), new PatchGrid(2, 2, false, null), new int[] {2, 5},
                List.of(new long[] {0, 1, 3, 4, 5, 6}, new long[] {0, 1, 4, 6}), 8);
        assertArrayEquals(new double[] {2, 5}, k.cells()[0], "(0,0) gone at 2, (0,1) at 5");
        assertArrayEquals(new double[] {8, 5}, k.cells()[1], "(1,0) kept to the end: the layer count");
        assertArrayEquals(new int[] {4, 4, 3, 3, 3, 1, 1, 1}, k.perLayer());
        assertEquals(4, k.imageTokens());
        assertEquals(1, k.kept());
        KeptPatches none = KeptPatches.of(table(), new PatchGrid(2, 2, false, null), new int[0], List.of(), 8);
        assertEquals(4, none.kept());
        assertArrayEquals(new double[] {8, 8}, none.cells()[0]);
    }

    @Test
    void theControlsMakePoliciesAndAScheduleNeverKeepsMoreLater() {
        ModelSession session = new ModelSession(Runnable::run);
        try {
            PruningViewModel vm = new PruningViewModel(session, new CompressionSession(session,
                    ShapesEvalSet.defaultFile()));
            vm.layer.set(3);
            vm.keep.set(0.25);
            assertEquals(VisualTokenPruning.fastV(3, 0.75).toJson(), vm.policy().toJson());
            vm.method.set(PruningViewModel.Method.ADAPTIVE);
            vm.keep.set(0.9);
            vm.minKeep.set(6);
            assertEquals(VisualTokenPruning.adaptive(3, 0.9, 6).toJson(), vm.policy().toJson());
            vm.method.set(PruningViewModel.Method.DIVERSITY);
            vm.layer.set(0);
            vm.keep.set(0.5);
            assertEquals(VisualTokenPruning.diversity(0, 0.5).toJson(), vm.policy().toJson());
            assertTrue(vm.policyText.get().startsWith("diversity before layer 0"), vm.policyText.get());

            // A schedule on an 8-layer decoder: 1, 1, ½, ½, ½, ¼, ¼, ¼ to start with.
            vm.method.set(PruningViewModel.Method.SCHEDULE);
            vm.setLayers(8);
            assertEquals(VisualTokenPruning.schedule(new int[] {2, 5}, new double[] {0.5, 0.25}).toJson(),
                    vm.policy().toJson(), "a stage wherever the keep drops");
            vm.schedule.get(3).set(0.2);
            assertEquals(List.of(1.0, 1.0, 0.5, 0.2, 0.2, 0.2, 0.2, 0.2),
                    vm.schedule.stream().map(javafx.beans.property.DoubleProperty::get).toList(),
                    "lowering a layer lowers the later ones");
            vm.schedule.get(6).set(0.8);
            assertEquals(List.of(1.0, 1.0, 0.8, 0.8, 0.8, 0.8, 0.8, 0.2),
                    vm.schedule.stream().map(javafx.beans.property.DoubleProperty::get).toList(),
                    "raising a layer raises the earlier ones");
            assertEquals(VisualTokenPruning.schedule(new int[] {2, 7}, new double[] {0.8, 0.2}).toJson(),
                    vm.policy().toJson());
            assertTrue(vm.policyText.get().contains("schedule before layer 2"), vm.policyText.get());
        } finally {
            session.close();
        }
    }
}
