package org.lvlmworkbench.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TableView;
import javafx.scene.image.ImageView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.testing.TinyModels;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The window opens a model, lists example questions, and answers one when Ask is clicked. */
class WorkbenchAppTest {

    private static final FxRobot ROBOT = new FxRobot();
    private static javafx.application.Application app;

    @BeforeAll
    static void start() throws Exception {
        HeadlessFx.configure();
        Path examples = Files.createTempDirectory("examples");
        Path file = ShapesEvalSet.write(examples, new ShapesWorld(48, 5), 4);
        FxToolkit.registerPrimaryStage();
        app = FxToolkit.setupApplication(WorkbenchApp.class, TinyModels.legacyF32().toString(), file.toString());
    }

    @AfterAll
    static void stop() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
    }

    @Test
    void opensTheModelAndAnswersAnExample() throws Exception {
        TableView<?> table = ROBOT.lookup(".component-table").queryAs(TableView.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !table.getItems().isEmpty());
        assertTrue(table.getItems().size() >= 5, "vision, projector, embeddings, layers, head");
        ListView<?> examples = ROBOT.lookup(".example-list").queryAs(ListView.class);
        assertEquals(4, examples.getItems().size());
        ImageView image = ROBOT.lookup("#imageView").queryAs(ImageView.class);
        assertTrue(image.getImage() != null, "the first example's image is shown");

        Button ask = ROBOT.lookup("#askButton").queryButton();
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> !ask.isDisabled());
        ROBOT.clickOn(ask);
        Label answer = ROBOT.lookup("#answerLabel").queryAs(Label.class);
        Label timing = ROBOT.lookup("#timingLabel").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !timing.getText().isEmpty());
        assertFalse(answer.getText().isBlank(), "a random model still answers something");
        assertTrue(timing.getText().contains("prefill"), timing.getText());
        Label status = ROBOT.lookup("#statusLabel").queryAs(Label.class);
        assertFalse(status.getText().startsWith("Generation failed"), status.getText());
    }
}
