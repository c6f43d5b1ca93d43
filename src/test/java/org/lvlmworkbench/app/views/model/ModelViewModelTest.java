package org.lvlmworkbench.app.views.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.sample.SampleModel;

/** The Model view's state for the shipped sample, without a UI toolkit. */
class ModelViewModelTest {

    private static ModelSession session;
    private static ModelViewModel beforeOpening;

    @BeforeAll
    static void open() throws Exception {
        session = new ModelSession(Runnable::run);
        beforeOpening = new ModelViewModel(session);
        assertEquals("no model", beforeOpening.title.get());
        assertTrue(beforeOpening.components.isEmpty());
        Job<LoadedModel> job = session.openModel(SampleModel.defaultModel());
        assertTrue(job.await(Duration.ofSeconds(60)));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
    }

    @AfterAll
    static void close() {
        session.close();
    }

    @Test
    void showsTheCardOfTheModelOpenedLater() {
        ModelViewModel vm = beforeOpening;
        assertEquals("llava-shapes", vm.title.get());
        assertTrue(vm.summary.get().startsWith("LLaVA"), vm.summary.get());
        assertTrue(vm.summary.get().contains("8 decoder layers × 96 wide"), vm.summary.get());
        assertTrue(vm.summary.get().contains("1,161,312 parameters"), vm.summary.get());
        List<String> sections = vm.sections.stream().map(ModelCard.Section::name).toList();
        assertTrue(sections.containsAll(List.of("vision tower", "projector", "text decoder", "compute", "checkpoint")),
                sections.toString());
    }

    @Test
    void componentsAddUpToTheWhole() {
        ModelViewModel vm = new ModelViewModel(session);
        assertEquals(6, vm.components.size(), vm.components.toString());
        long total = vm.components.stream().mapToLong(ModelViewModel.ComponentRow::parameters).sum();
        assertEquals(1_161_312, total);
        double shares = vm.components.stream().mapToDouble(ModelViewModel.ComponentRow::share).sum();
        assertEquals(1.0, shares, 1e-9);
        assertTrue(vm.components.stream().allMatch(c -> c.dtype().equals("BF16")));
    }

    @Test
    void linearMapsFormABlockByRoleGrid() {
        ModelViewModel vm = new ModelViewModel(session);
        LinearMapGrid grid = vm.linearMaps.get();
        assertEquals(List.of("vision 0", "vision 1", "vision 2", "projector", "text 0", "text 1", "text 2", "text 3",
                "text 4", "text 5", "text 6", "text 7"), grid.rows());
        assertEquals(List.of("q", "k", "v", "o", "fc1", "fc2", "linear_1", "linear_2", "gate", "up", "down"),
                grid.columns());
        int text3 = grid.rows().indexOf("text 3");
        int down = grid.columns().indexOf("down");
        int k = grid.columns().indexOf("k");
        assertEquals(96 * 256, grid.parameters()[text3][down]);
        assertEquals(2 * 24 * 96, grid.parameters()[text3][k], "grouped-query attention: 2 kv heads of 24");
        assertTrue(Double.isNaN(grid.parameters()[text3][grid.columns().indexOf("fc1")]));

        assertEquals(ModelViewModel.PICK_A_CELL, vm.linearDetail.get());
        vm.selectLinear(text3, down);
        assertTrue(vm.linearDetail.get().startsWith("language_model.model.layers.3.mlp.down_proj.weight"),
                vm.linearDetail.get());
        assertTrue(vm.linearDetail.get().contains("96 × 256 (out × in)"), vm.linearDetail.get());
        vm.selectLinear(grid.rows().indexOf("projector"), grid.columns().indexOf("q"));
        assertEquals("projector has no q map", vm.linearDetail.get());
    }
}
