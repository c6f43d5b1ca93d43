package org.lvlmworkbench.app.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.geometry.Point2D;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.control.ToggleButton;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.WorkbenchWindow;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.app.widgets.PatchOverlayView;
import org.lvlmworkbench.app.widgets.TokenStrip;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The analysis views in the window, on the shipped sample and three evaluation questions: each is
 * reached from the navigator, runs from its probe-set bar, fills in, and answers a click on its chart
 * (the Spectra view reads and writes the standard spectra cache, as the app does).
 */
class AnalysisViewsTest {

    private static final FxRobot ROBOT = new FxRobot();
    private static WorkbenchWindow window;

    @BeforeAll
    static void start() throws Exception {
        // The views read the standard result cache: an empty one, so every run computes.
        window = WorkbenchWindow.open("analysis", SampleModel.defaultModel(), new ShapesWorld(48, 7), 3, true);
    }

    @AfterAll
    static void stop() throws Exception {
        window.close();
    }

    @Test
    void eachAnalysisViewRunsAndAnswersClicks() throws Exception {
        ListView<WorkbenchView> navigator = ROBOT.lookup(".navigator").queryListView();
        List<String> titles = navigator.getItems().stream().map(WorkbenchView::title).toList();
        assertTrue(titles.containsAll(List.of("Knowledge evolution", "Layer similarity", "Visual tokens", "Spectra")),
                titles.toString());

        ROBOT.clickOn(WorkbenchWindow.navigatorCell("Knowledge evolution"));
        runAndWait();
        ListView<?> items = ROBOT.lookup(".analysis-item-list").queryAs(ListView.class);
        assertEquals(3, items.getItems().size());
        HeatmapView itemMap = ROBOT.lookup("#itemMap").queryAs(HeatmapView.class);
        clickCell(itemMap, 0, 4);
        TableView<?> top = ROBOT.lookup("#topTable").queryAs(TableView.class);
        assertEquals(5, top.getItems().size(), "the layer's top 5 tokens");
        Label cellTitle = ROBOT.lookup("#cellTitle").queryAs(Label.class);
        assertTrue(cellTitle.getText().contains("block 4"), cellTitle.getText());

        ROBOT.clickOn(WorkbenchWindow.navigatorCell("Layer similarity"));
        runAndWait();
        HeatmapView cka = ROBOT.lookup("#ckaMap").queryAs(HeatmapView.class);
        clickCell(cka, 2, 3);
        Label detail = ROBOT.lookup("#cellDetail").queryAs(Label.class);
        assertTrue(detail.getText().startsWith("block 1 × block 2: CKA "), detail.getText());

        ROBOT.clickOn(WorkbenchWindow.navigatorCell("Visual tokens"));
        runAndWait();
        PatchOverlayView overlay = ROBOT.lookup("#patchOverlay").queryAs(PatchOverlayView.class);
        assertTrue(overlay.hasImage(), "the first item's image is shown");
        Label caption = ROBOT.lookup("#captionLabel").queryAs(Label.class);
        String atTheAnswer = caption.getText();
        assertTrue(atTheAnswer.contains("predicts the answer"), atTheAnswer);
        TokenStrip strip = ROBOT.lookup("#queryStrip").queryAs(TokenStrip.class);
        ToggleButton question = (ToggleButton) strip.getChildren().get(3);
        ROBOT.clickOn(question);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(question.isSelected());
        assertEquals(3, strip.selectedIndexProperty().get());
        assertNotEquals(atTheAnswer, caption.getText(), "another query, another read-out");
        assertTrue(caption.getText().contains("from ‘" + question.getText() + "’"), caption.getText());

        ROBOT.clickOn(WorkbenchWindow.navigatorCell("Spectra"));
        runAndWait();
        TableView<?> weights = ROBOT.lookup("#weightTable").queryAs(TableView.class);
        assertEquals(76, weights.getItems().size(), "every linear weight of the sample");
        HeatmapView ranks = ROBOT.lookup("#rankMap").queryAs(HeatmapView.class);
        clickCell(ranks, 4, 0); // text 0, q
        Label weight = ROBOT.lookup("#detailLabel").queryAs(Label.class);
        assertTrue(weight.getText().startsWith("language_model.model.layers.0.self_attn.q_proj.weight"), weight.getText());
        assertEquals(18 + 2, weights.getItems().indexOf(weights.getSelectionModel().getSelectedItem()),
                "the table follows: 3 vision blocks × 6 weights, the projector's 2, then text 0's q");
    }

    /** Clicks Run and waits for the job to end; the status line must not report a failure. */
    private static void runAndWait() throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Button run = ROBOT.lookup("#runButton").queryButton();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !run.isDisabled());
        Label status = ROBOT.lookup("#statusLabel").queryAs(Label.class);
        // The line may still report the previous view's job as done: wait for this job's own report.
        String before = status.getText();
        ROBOT.clickOn(run);
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS,
                () -> status.getText().contains("— done") && !status.getText().equals(before));
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(status.getText().contains("failed"), status.getText());
    }

    private static void clickCell(HeatmapView map, int row, int col) {
        Point2D local = new Point2D(map.geometry().centerX(col), map.geometry().centerY(row));
        ROBOT.clickOn(map.localToScreen(local));
        WaitForAsyncUtils.waitForFxEvents();
        int[] selected = map.selection();
        assertEquals(row, selected[0]);
        assertEquals(col, selected[1]);
    }

}
