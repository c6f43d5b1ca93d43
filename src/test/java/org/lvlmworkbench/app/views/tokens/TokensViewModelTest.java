package org.lvlmworkbench.app.views.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javafx.collections.ListChangeListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.core.analysis.ResultCache;
import org.lvlmworkbench.core.analysis.probe.TokenInfo;
import org.lvlmworkbench.core.analysis.probe.TokenKind;
import org.lvlmworkbench.core.analysis.tokens.ItemTokenImportance;
import org.lvlmworkbench.core.analysis.tokens.TokenImportanceResult;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/** The Visual tokens view's state on the shipped sample, without a UI toolkit. */
class TokensViewModelTest {

    private static ModelSession session;
    private static TokensViewModel vm;
    private static final List<Integer> SIZES = new ArrayList<>();
    private static int firstLayer;

    @BeforeAll
    static void runOnce(@TempDir Path cache) throws Exception {
        session = new ModelSession(Runnable::run);
        Job<LoadedModel> open = session.openModel(SampleModel.defaultModel());
        assertTrue(open.await(Duration.ofSeconds(60)));
        assertEquals(Job.State.SUCCEEDED, open.state(), session.statusProperty().get());
        vm = new TokensViewModel(session, ShapesEvalSet.defaultFile(), new ResultCache(cache));
        vm.source.count.set(2);
        vm.items.addListener((ListChangeListener<ItemTokenImportance>) c -> SIZES.add(vm.items.size()));
        Job<TokenImportanceResult> job = vm.run();
        assertTrue(job.await(Duration.ofSeconds(120)));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
        firstLayer = vm.layer.get();
    }

    @AfterAll
    static void close() {
        session.close();
    }

    @BeforeEach
    void firstItemHeadMean() {
        vm.selected.set(vm.items.get(0));
        vm.mode.set(TokensViewModel.Mode.HEAD_MEAN);
        vm.layer.set(4);
        vm.queryPosition.set(vm.items.get(0).answerQuery());
    }

    /** The value of the patch that image token {@code index} covers. */
    private static double cell(ItemTokenImportance item, int index) {
        TokenInfo t = item.run().table().get(item.imagePositions()[index]);
        return vm.overlay.get()[t.row()][t.col()];
    }

    @Test
    void itemsArriveOneByOneAndTheFirstIsShownAtTheAnswer() {
        assertEquals(List.of(1, 2), SIZES, "each item is listed as it finishes");
        ItemTokenImportance item = vm.selected.get();
        assertSame(vm.items.get(0), item);
        assertEquals(6, vm.grid.get().rows(), "48-pixel images in 8-pixel patches");
        assertEquals(48, vm.grid.get().processed().width());
        assertEquals(8, vm.layers.get());
        assertEquals(4, vm.heads.get());
        assertEquals(4, firstLayer, "the middle layer first");
        assertEquals(item.answerQuery(), vm.queryPosition.get());
        int q = item.queryIndex(item.answerQuery());
        for (int i = 0; i < item.imagePositions().length; i++) {
            assertEquals(item.headMean()[4][q][i], cell(item, i), 0, "image token " + i);
        }
        assertEquals("attention weight", vm.valueLabel.get());
        assertTrue(vm.caption.get().startsWith("block 4 · head mean · from ‘:’ (position " + item.answerQuery()
                + ", predicts the answer)"), vm.caption.get());
        assertTrue(vm.patchLabel(0, 0).startsWith("patch (0, 0) · position "), vm.patchLabel(0, 0));
        assertEquals(1, vm.imageShare.get().size());
        assertEquals(8, vm.imageShare.get().get(0).y().length, "the image's share per block");
    }

    @Test
    void theTokenStripPicksTheQuery() {
        ItemTokenImportance item = vm.selected.get();
        List<TokensViewModel.QueryToken> strip = List.copyOf(vm.queryTokens);
        assertEquals(item.queryPositions().length, strip.size(), "every text position, prompt and answer");
        assertEquals(1, strip.stream().filter(TokensViewModel.QueryToken::answerQuery).count());
        assertTrue(strip.stream().noneMatch(t -> t.kind() == TokenKind.IMAGE));
        TokensViewModel.QueryToken shapes = strip.stream().filter(t -> t.text().equals("shapes")).findFirst()
                .orElseThrow();
        double before = cell(item, 0);

        vm.queryPosition.set(shapes.position());
        int q = item.queryIndex(shapes.position());
        for (int i = 0; i < item.imagePositions().length; i++) {
            assertEquals(item.headMean()[4][q][i], cell(item, i), 0);
        }
        assertFalse(before == cell(item, 0), "another query attends elsewhere");
        assertTrue(vm.caption.get().contains("from ‘shapes’ (position " + shapes.position() + ")"), vm.caption.get());
        assertTrue(vm.imageShare.get().get(0).name().endsWith("‘shapes’"), vm.imageShare.get().get(0).name());
    }

    @Test
    void theModesReadHeadsRolloutAndFastV() {
        ItemTokenImportance item = vm.selected.get();
        vm.mode.set(TokensViewModel.Mode.ONE_HEAD);
        vm.layer.set(2);
        vm.head.set(3);
        assertTrue(vm.headUsed.get() && vm.layerUsed.get() && !vm.queryUsed.get());
        assertEquals(item.perHead()[2][3][5], cell(item, 5), 0);
        assertTrue(vm.caption.get().startsWith("block 2 · head 3"), vm.caption.get());

        vm.mode.set(TokensViewModel.Mode.ROLLOUT);
        int q = item.queryIndex(item.answerQuery());
        assertEquals(item.rollout()[q][7], cell(item, 7), 0);
        assertEquals("rollout weight", vm.valueLabel.get());
        assertTrue(vm.shareMarkers.get().isEmpty(), "rollout reads every layer");

        vm.mode.set(TokensViewModel.Mode.FASTV);
        vm.fastVK.set(3);
        assertTrue(vm.fastVUsed.get() && !vm.layerUsed.get());
        assertEquals(item.fastV(3)[11], cell(item, 11), 0);
        assertEquals(item.headMean()[2][q][11], cell(item, 11), 0, "FastV's K = 3 reads block 2");
        assertEquals(2, vm.shareMarkers.get().get(0).x());
    }

    @Test
    void selectingAnotherItemShowsItsImageAndQueries() {
        ItemTokenImportance second = vm.items.get(1);
        vm.layer.set(6);
        vm.selected.set(second);
        assertSame(second.run().table().grids().get(0), vm.grid.get());
        assertEquals(second.answerQuery(), vm.queryPosition.get());
        assertEquals(6, vm.layer.get(), "the chosen layer stays");
        assertEquals(second.queryPositions().length, vm.queryTokens.size());
        assertTrue(TokensViewModel.itemText(second).contains(second.run().item().prompt()));

        vm.selected.set(null);
        assertNull(vm.overlay.get());
        assertTrue(vm.queryTokens.isEmpty());
    }
}
