package org.lvlmworkbench.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.PatchOverlayView;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.lvlmworkbench.testing.TinyModels;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The window opens a model and shows its card in the Model view; the navigator switches to the Ask
 * view, which lists example questions and answers one when Ask is clicked; and back.
 */
class WorkbenchAppTest {

    private static final FxRobot ROBOT = new FxRobot();
    private static WorkbenchWindow window;

    @BeforeAll
    static void start() throws Exception {
        window = WorkbenchWindow.open("examples", TinyModels.legacyF32(), new ShapesWorld(48, 5), 4, false);
    }

    @AfterAll
    static void stop() throws Exception {
        window.close();
    }

    @Test
    void navigatesBetweenModelAndAskAndAnswersAnExample() throws Exception {
        ListView<WorkbenchView> navigator = ROBOT.lookup(".navigator").queryListView();
        assertEquals(List.of("Model", "Ask", "Knowledge evolution", "Layer similarity", "Visual tokens", "Spectra", "Compress"),
                navigator.getItems().stream().map(WorkbenchView::title).toList());

        TableView<?> table = ROBOT.lookup(".component-table").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !table.getItems().isEmpty());
        assertTrue(table.getItems().size() >= 5, "vision, projector, embeddings, layers, head");
        assertTrue(ROBOT.lookup(".heatmap-view").tryQuery().isPresent(), "the linear-map heatmap");

        ROBOT.clickOn(WorkbenchWindow.navigatorCell("Ask"));
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(ROBOT.lookup(".component-table").tryQuery().isPresent(), "only the selected view is shown");
        ListView<?> examples = ROBOT.lookup(".example-list").queryAs(ListView.class);
        assertEquals(4, examples.getItems().size());
        PatchOverlayView image = ROBOT.lookup("#imageOverlay").queryAs(PatchOverlayView.class);
        assertTrue(image.hasImage(), "the first example's image is shown");

        Button ask = ROBOT.lookup("#askButton").queryButton();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !ask.isDisabled());
        ROBOT.clickOn(ask);
        Label answer = ROBOT.lookup("#answerLabel").queryAs(Label.class);
        Label timing = ROBOT.lookup("#timingLabel").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !timing.getText().isEmpty());
        assertFalse(answer.getText().isBlank(), "a random model still answers something");
        assertTrue(timing.getText().contains("prefill"), timing.getText());
        Label status = ROBOT.lookup("#statusLabel").queryAs(Label.class);
        assertFalse(status.getText().contains("failed"), status.getText());

        ROBOT.clickOn(WorkbenchWindow.navigatorCell("Model"));
        WaitForAsyncUtils.waitForFxEvents();
        assertSame(table, ROBOT.lookup(".component-table").queryAs(TableView.class), "the Model view is kept, not rebuilt");
        assertFalse(ROBOT.lookup(".example-list").tryQuery().isPresent());
    }

}
