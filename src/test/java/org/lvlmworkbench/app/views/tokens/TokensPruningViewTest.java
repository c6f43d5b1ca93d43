package org.lvlmworkbench.app.views.tokens;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Slider;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.WorkbenchWindow;
import org.lvlmworkbench.app.Screenshots;
import org.lvlmworkbench.app.widgets.PatchOverlayView;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The Visual tokens view's pruning controls in the window, on the sample: FastV at K = 2 keeping half
 * previews on the selected item (the pruned model runs, its kept positions land on the patch grid:
 * half the patches kept to the end, the rest gone from layer 2); adaptive pruning's mass is fitted to
 * remove half on average; a schedule adds to the plan, which the Compress view lists.
 */
class TokensPruningViewTest {

    private static final FxRobot ROBOT = new FxRobot();
    private static WorkbenchWindow window;

    @BeforeAll
    static void start() throws Exception {
        window = WorkbenchWindow.open("tokens", SampleModel.defaultModel(), new ShapesWorld(48, 7), 2, true);
    }

    @AfterAll
    static void stop() throws Exception {
        window.close();
    }

    @Test
    void previewsKeptPatchesAndAddsThePolicyToThePlan() throws Exception {
        WorkbenchWindow.waitUntilOpened();
        Button run = WorkbenchWindow.run("Visual tokens");
        ListView<?> items = ROBOT.lookup(".analysis-item-list").queryAs(ListView.class);
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> items.getItems().size() == 2 && !run.isDisabled());

        // FastV before layer 2, keeping half: K by keyboard (from 2, up one and back), keep stays ½.
        Slider k = ROBOT.lookup("#pruneLayerSlider").queryAs(Slider.class);
        assertEquals(2, k.getValue());
        ROBOT.clickOn(ROBOT.lookup("#previewButton").queryButton());
        PatchOverlayView overlay = ROBOT.lookup("#patchOverlay").queryAs(PatchOverlayView.class);
        Label preview = ROBOT.lookup("#previewLabel").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> preview.getText().contains("image tokens kept"));
        assertTrue(preview.getText().startsWith("18 of 36 image tokens kept to the end (50 %)"), preview.getText());
        ChoiceBox<?> mode = ROBOT.lookup("#modeChoice").queryAs(ChoiceBox.class);
        assertEquals(TokensViewModel.Mode.PRUNED, mode.getValue(), "the overlay shows the preview");
        Label caption = ROBOT.lookup("#captionLabel").queryAs(Label.class);
        assertTrue(caption.getText().startsWith("fastv before layer 2: remove 50% of the image tokens · 18 of 36"),
                caption.getText());
        // Hovering a patch reads its value: gone from layer 2, or kept (8 = the layer count).
        WaitForAsyncUtils.asyncFx(() -> k.requestFocus()).get();
        ROBOT.type(KeyCode.RIGHT);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> caption.getText().startsWith("fastv before layer 3"));
        ROBOT.type(KeyCode.LEFT);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> caption.getText().startsWith("fastv before layer 2"));
        assertTrue(overlay.hasImage());
        Screenshots.window(overlay, "compress-tokens");

        // Adaptive, its mass fitted to remove half of the image tokens on average over the calibration items
        // (the file's two items); the fitted policy previews at once.
        WaitForAsyncUtils.asyncFx(() -> ((ChoiceBox<PruningViewModel.Method>) ROBOT.lookup("#pruneMethodChoice")
                .queryAs(ChoiceBox.class)).setValue(PruningViewModel.Method.ADAPTIVE)).get();
        ROBOT.clickOn(ROBOT.lookup("#fitMassButton").queryButton());
        Label fit = ROBOT.lookup("#fitLabel").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> fit.getText().startsWith("Mass "));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("Mass (0\\.\\d+) before layer 2 removes ([\\d.]+) % "
                + "of the image tokens on average over 2 calibration items").matcher(fit.getText());
        assertTrue(m.find(), fit.getText());
        assertEquals(50, Double.parseDouble(m.group(2)), 1.5, "one token of 72 either way: " + fit.getText());
        Slider mass = ROBOT.lookup("#pruneKeepSlider").queryAs(Slider.class);
        assertEquals(Double.parseDouble(m.group(1)), mass.getValue(), 5e-4, "the slider holds the fitted mass");
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> caption.getText().startsWith("adaptive before layer 2"));

        // A schedule: keep ½ from layer 2 and ¼ from layer 5 (the defaults), into the plan.
        WaitForAsyncUtils.asyncFx(() -> ((ChoiceBox<PruningViewModel.Method>) ROBOT.lookup("#pruneMethodChoice")
                .queryAs(ChoiceBox.class)).setValue(PruningViewModel.Method.SCHEDULE)).get();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> caption.getText().startsWith("schedule before layer 2"));
        assertTrue(ROBOT.lookup("#scheduleLayer7").tryQuery().isPresent(), "a keep slider per layer from 1 to 7");
        ROBOT.clickOn(ROBOT.lookup("#addPruningButton").queryButton());
        Label plan = ROBOT.lookup("#planPruningLabel").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> plan.getText().startsWith("In the plan: schedule"));
        ROBOT.clickOn(WorkbenchWindow.navigatorCell("Compress"));
        Label summary = ROBOT.lookup("#planSummary").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> summary.getText().equals("2 pruning stages"));
    }

}
