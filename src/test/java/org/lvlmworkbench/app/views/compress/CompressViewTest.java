package org.lvlmworkbench.app.views.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Point2D;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Spinner;
import javafx.scene.control.TableView;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.WorkbenchWindow;
import org.lvlmworkbench.app.Screenshots;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.ParetoChartView;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.loading.ModelFingerprint;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Compress view in the window, on the shipped sample and three questions: it prepares an empty
 * plan when shown; a plan opened from a file is listed by group, applied and evaluated (the metrics
 * and items fill in, a point joins the original's on the Pareto chart); Delete takes a choice out
 * (another point), Ctrl+Z undoes it, a click on the original's point restores the empty plan, and
 * the plan saves as JSON that reads back equal.
 */
class CompressViewTest {

    private static final FxRobot ROBOT = new FxRobot();
    private static final String Q3 = "language_model.model.layers.3.self_attn.q_proj.weight";
    private static WorkbenchWindow window;
    private static Path folder;

    @BeforeAll
    static void start() throws Exception {
        // Two calibration items (typed below) come first; the evaluation takes the items after them.
        window = WorkbenchWindow.open("compress-view", SampleModel.defaultModel(), new ShapesWorld(48, 7), Screenshots.wanted() ? 14 : 4, false);
        folder = window.folder();
    }

    @AfterAll
    static void stop() throws Exception {
        window.close();
    }

    @Test
    void buildsEvaluatesUndoesAndRestoresPlans() throws Exception {
        ListView<WorkbenchView> navigator = ROBOT.lookup(".navigator").queryListView();
        CompressView view = (CompressView) navigator.getItems().stream().filter(v -> v.title().equals("Compress"))
                .findFirst().orElseThrow();
        PlanViewModel vm = view.viewModel();
        CompressionSession compression = vm.compression();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> compression.modelSession().readyProperty().get());

        // Fewer calibration items than the default, typed into the spinner before the view is first shown.
        ROBOT.clickOn(WorkbenchWindow.navigatorCell("Compress"));
        Spinner<?> calibration = ROBOT.lookup("#calibrationSpinner").queryAs(Spinner.class);
        ROBOT.doubleClickOn(calibration.getEditor()).write("2").type(KeyCode.ENTER);
        if (!Screenshots.wanted()) {
            Spinner<?> evaluation = ROBOT.lookup("#evaluationSpinner").queryAs(Spinner.class);
            ROBOT.doubleClickOn(evaluation.getEditor()).write("2").type(KeyCode.ENTER);
        }
        Label summary = ROBOT.lookup("#planSummary").queryAs(Label.class);
        try {
            WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> compression.plan() != null
                    && compression.plan().calibration().items() == 2);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("plan " + (compression.plan() == null ? null : compression.plan().calibration())
                    + ", items " + compression.calibrationItems.get() + ", editor '" + calibration.getEditor().getText()
                    + "', status " + compression.modelSession().statusProperty().get());
        }
        assertEquals("No changes: the original model.", summary.getText());

        Path planFile = folder.resolve("plan.json");
        CompressionPlan made = CompressionPlan.empty(ModelFingerprint.of(SampleModel.defaultModel()))
                .withDroppedLayer(5, true).withRank(Q3, new MatrixRank(16, "svd-llm"));
        Files.writeString(planFile, made.toJsonString());
        WaitForAsyncUtils.asyncFx(() -> vm.open(planFile)).get();
        waitForEvaluation(compression);
        assertEquals("1 rank · 1 dropped block", summary.getText());
        TreeView<?> tree = ROBOT.lookup("#planTree").queryAs(TreeView.class);
        assertEquals(List.of("Low rank · decoder q (1)", "Dropped blocks (1)"),
                tree.getRoot().getChildren().stream().map(t -> ((PlanEntries.Group) t.getValue()).title()).toList());

        TableView<?> items = ROBOT.lookup("#itemTable").queryAs(TableView.class);
        assertEquals(Screenshots.wanted() ? 12 : 2, items.getItems().size());
        TableView<PlanMetrics.Row> metrics = ROBOT.lookup("#metricsTable").queryAs(TableView.class);
        PlanMetrics.Row params = metrics.getItems().stream().filter(r -> r.metric().equals("parameters")).findFirst()
                .orElseThrow();
        assertTrue(params.change().startsWith("−"), "fewer parameters: " + params);
        PlanMetrics.Row loss = metrics.getItems().stream().filter(r -> r.metric().equals("predicted loss"))
                .findFirst().orElseThrow();
        assertTrue(loss.change().endsWith("%"), loss.toString());
        ParetoChartView pareto = ROBOT.lookup("#paretoChart").queryAs(ParetoChartView.class);
        assertEquals(2, vm.paretoPoints.get().size(), "the original and the plan");
        assertEquals(1, vm.currentPoint.get());

        // Delete on the dropped block's line takes it out: the plan keeps its rank and is evaluated anew.
        TreeItem<?> dropGroup = tree.getRoot().getChildren().get(1);
        WaitForAsyncUtils.asyncFx(() -> {
            tree.getSelectionModel().select(tree.getRow((TreeItem) dropGroup.getChildren().get(0)));
            tree.requestFocus();
        }).get();
        ROBOT.type(KeyCode.DELETE);
        waitForEvaluation(compression);
        assertEquals(made.withDroppedLayer(5, false).ranks(), compression.plan().ranks());
        assertTrue(compression.plan().droppedLayers().isEmpty());
        assertEquals(3, vm.paretoPoints.get().size());
        Screenshots.window(tree, "compress-plan");

        // Ctrl+Z brings the dropped block back.
        ROBOT.press(KeyCode.CONTROL).type(KeyCode.Z).release(KeyCode.CONTROL);
        waitForEvaluation(compression);
        assertTrue(compression.plan().droppedLayers().contains(5) && compression.plan().ranks().containsKey(Q3),
                compression.plan().toJsonString());
        Button redo = ROBOT.lookup("#redoButton").queryButton();
        assertFalse(redo.isDisabled());

        // A click on the original's point restores the empty plan.
        Point2D original = pareto.pointAt(0);
        ROBOT.clickOn(pareto.localToScreen(original));
        waitForEvaluation(compression);
        assertTrue(compression.plan().isEmpty(), compression.plan().toJsonString());
        assertEquals(0, vm.currentPoint.get());

        // Keyboard: Tab to the chart, Left/Right walk the points by cost, Enter restores one (the cheapest).
        WaitForAsyncUtils.asyncFx(pareto::requestFocus).get();
        ROBOT.type(KeyCode.RIGHT);
        int cheapest = pareto.keyboardPoint();
        assertFalse(vm.paretoPoints.get().get(cheapest).original());
        ROBOT.type(KeyCode.ENTER);
        waitForEvaluation(compression);
        assertEquals(cheapest, vm.currentPoint.get());
        assertTrue(compression.plan().droppedLayers().contains(5));
        if (Screenshots.wanted()) {
            screenshotWithSeveralPlans(compression, made);
        }

        Path saved = folder.resolve("saved.json");
        WaitForAsyncUtils.asyncFx(() -> vm.save(saved)).get();
        assertEquals(compression.plan(), CompressionPlan.read(saved));
    }

    /** For the README: a few more plans evaluated, so the Pareto chart has a frontier to show. */
    private static void screenshotWithSeveralPlans(CompressionSession compression, CompressionPlan made) throws Exception {
        String down = "language_model.model.layers.%d.mlp.down_proj.weight";
        List<CompressionPlan> plans = List.of(
                made.withoutRank(Q3).withDroppedLayer(5, false).withDroppedLayer(6, true),
                made.withoutRank(Q3).withDroppedLayer(5, false).withDroppedMlp(3, true).withDroppedAttention(6, true),
                made.withDroppedLayer(5, false).withRank(String.format(down, 2), new MatrixRank(24, "svd-llm"))
                        .withRank(String.format(down, 4), new MatrixRank(24, "svd-llm")),
                made.withoutRank(Q3).withDroppedLayer(5, false).withMerge(new org.lvlmworkbench.core.compress.plan
                        .MergeGroup(2, 4, org.lvlmworkbench.core.compress.plan.MergeFormula.RDSC)),
                made.withDroppedLayer(6, true).withDroppedLayer(2, true));
        for (CompressionPlan p : plans) {
            WaitForAsyncUtils.asyncFx(() -> compression.push(p.withCalibration(compression.plan().calibration())))
                    .get();
            waitForEvaluation(compression);
        }
        WaitForAsyncUtils.asyncFx(() -> compression.push(plans.get(2).withCalibration(
                compression.plan().calibration()))).get();
        waitForEvaluation(compression);
        // No hover read-out or keyboard ring in the picture.
        WaitForAsyncUtils.asyncFx(() -> ROBOT.lookup("#planTree").query().requestFocus()).get();
        ROBOT.moveTo((Node) ROBOT.lookup("#planSummary").query());
        Screenshots.window(ROBOT.lookup("#planTree").query(), "compress-plan");
    }

    private static void waitForEvaluation(CompressionSession compression) throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> compression.evaluationStateProperty().get()
                != CompressionSession.EvaluationState.RUNNING && !compression.modelSession().busyProperty().get());
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(CompressionSession.EvaluationState.DONE, compression.evaluationStateProperty().get(),
                compression.modelSession().statusProperty().get());
    }

}
