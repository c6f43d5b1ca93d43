package org.lvlmworkbench.app.views.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import javafx.geometry.Point2D;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.WorkbenchWindow;
import org.lvlmworkbench.app.Screenshots;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Layer similarity view's depth controls in the window, on the sample: a drag along the decoder's
 * CKA map picks layers that "Merge layers a..b" adds to the plan; Scores fills the layer table; a drop
 * check box, the B/A/M keys and ShortGPT's suggestion add drops; the Compress view lists them all.
 */
class SimilarityDepthViewTest {

    private static final FxRobot ROBOT = new FxRobot();
    private static WorkbenchWindow window;

    @BeforeAll
    static void start() throws Exception {
        window = WorkbenchWindow.open("similarity", SampleModel.defaultModel(), new ShapesWorld(48, 7), 2, true);
    }

    @AfterAll
    static void stop() throws Exception {
        window.close();
    }

    @Test
    void dragMergeDropAndSuggest() throws Exception {
        WorkbenchWindow.waitUntilOpened();
        WorkbenchWindow.useCalibrationItems(2);
        Label planSummary = ROBOT.lookup("#planSummary").queryAs(Label.class);

        Button run = WorkbenchWindow.run("Layer similarity");
        HeatmapView cka = ROBOT.lookup("#ckaMap").queryAs(HeatmapView.class);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !run.isDisabled() && cka.geometry().rows() == 9);

        // Drag along the diagonal from "block 2" (index 3) to "block 4" (index 5).
        ROBOT.drag(screen(cka, 3, 3), MouseButton.PRIMARY).moveTo(screen(cka, 4, 4)).moveTo(screen(cka, 5, 5)).drop();
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(3, cka.selectedRange()[0]);
        assertEquals(5, cka.selectedRange()[1]);
        Button merge = ROBOT.lookup("#mergeButton").queryButton();
        assertEquals("_Merge layers 2..4", merge.getText());
        ROBOT.clickOn(merge);
        TableView<DepthViewModel.LayerRow> layers = ROBOT.lookup("#layerTable").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> layers.getItems().size() == 8
                && layers.getItems().get(3).mergeText().equals("merged 2..4"));

        ROBOT.clickOn(ROBOT.lookup("#scoresButton").queryButton());
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !Double.isNaN(layers.getItems().get(0).blockInfluence()));

        // The check box of block 6's "drop block".
        java.util.function.Supplier<java.util.Optional<javafx.scene.control.TableRow<?>>> current = () -> ROBOT
                .lookup("#layerTable .table-row-cell").match((javafx.scene.control.TableRow<?> r) -> r.getIndex() == 6
                        && r.isVisible() && r.getItem() == layers.getItems().get(6)).tryQuery();
        WaitForAsyncUtils.waitFor(10, TimeUnit.SECONDS, () -> current.get().isPresent());
        javafx.scene.control.TableRow<?> row6 = current.get().orElseThrow();
        CheckBox drop6 = (CheckBox) row6.lookupAll(".check-box").iterator().next();
        ROBOT.clickOn(drop6);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> layers.getItems().get(6).droppedBlock());
        // Keyboard: row 7, A drops its attention.
        WaitForAsyncUtils.asyncFx(() -> {
            layers.requestFocus();
            layers.getSelectionModel().select(7);
        }).get();
        ROBOT.type(KeyCode.A);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> layers.getItems().get(7).droppedAttention());

        ROBOT.clickOn(ROBOT.lookup("#shortGptButton").queryButton());
        Label suggestion = ROBOT.lookup("#suggestionLabel").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> suggestion.getText().startsWith("ShortGPT"));
        long dropped = layers.getItems().stream().filter(DepthViewModel.LayerRow::droppedBlock).count();
        assertEquals(2, dropped, "block 6 and ShortGPT's choice");
        Label notice = ROBOT.lookup("#noticeLabel").queryAs(Label.class);
        assertTrue(notice.getText().isEmpty(), notice.getText());
        Screenshots.window(cka, "compress-similarity");

        ROBOT.clickOn(WorkbenchWindow.navigatorCell("Compress"));
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(planSummary.getText().contains("1 merge · 2 dropped blocks · 1 dropped sub-layer"),
                planSummary.getText());
        assertFalse(planSummary.getText().contains("rank"));
    }

    private static Point2D screen(HeatmapView map, int row, int col) {
        return map.localToScreen(new Point2D(map.geometry().centerX(col), map.geometry().centerY(row)));
    }

}
