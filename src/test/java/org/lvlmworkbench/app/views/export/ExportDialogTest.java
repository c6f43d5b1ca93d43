package org.lvlmworkbench.app.views.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.WorkbenchWindow;
import org.lvlmworkbench.app.Screenshots;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.loading.ModelFingerprint;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * Export… from the Compress view: the dialog proposes a folder beside the model, states the size,
 * refuses an existing folder without Replace, and writes the folder with its report while the
 * progress bar runs; the source model is untouched.
 */
class ExportDialogTest {

    private static final FxRobot ROBOT = new FxRobot();
    private static WorkbenchWindow window;
    private static Path folder;

    @BeforeAll
    static void start() throws Exception {
        window = WorkbenchWindow.open("export-dialog", SampleModel.defaultModel(), new ShapesWorld(48, 7), 3, false);
        folder = window.folder();
    }

    @AfterAll
    static void stop() throws Exception {
        window.close();
    }

    @Test
    void exportsThePlanWithItsReport() throws Exception {
        ListView<WorkbenchView> navigator = ROBOT.lookup(".navigator").queryListView();
        WorkbenchView compress = navigator.getItems().stream().filter(v -> v.title().equals("Compress")).findFirst()
                .orElseThrow();
        ROBOT.clickOn(ROBOT.lookup(".navigator .list-cell")
                .match((ListCell<?> cell) -> "Compress".equals(cell.getText())).<Node>query());
        CompressionSession compression = ((org.lvlmworkbench.app.views.compress.CompressView) compress).compression();
        WaitForAsyncUtils.waitFor(90, TimeUnit.SECONDS, () -> compression.plan() != null
                && !compression.modelSession().busyProperty().get());
        CompressionPlan plan = CompressionPlan.empty(ModelFingerprint.of(SampleModel.defaultModel()))
                .withMerge(new MergeGroup(5, 6, MergeFormula.RDSC))
                .withRank("language_model.model.layers.2.mlp.down_proj.weight", new MatrixRank(24, "svd-llm"));
        Path planFile = folder.resolve("plan.json");
        Files.writeString(planFile, plan.toJsonString());
        WaitForAsyncUtils.asyncFx(() -> compression.open(CompressionPlan.read(planFile))).get();
        WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> !compression.modelSession().busyProperty().get()
                && compression.evaluationStateProperty().get() != CompressionSession.EvaluationState.RUNNING);

        ROBOT.clickOn("#exportButton");
        WaitForAsyncUtils.waitForFxEvents();
        Stage dialog = (Stage) Window.getWindows().stream().filter(w -> w instanceof Stage s
                && "Export the compressed model".equals(s.getTitle())).findFirst().orElseThrow();
        TextField field = ROBOT.from(dialog.getScene().getRoot()).lookup("#folderField").queryAs(TextField.class);
        assertTrue(field.getText().endsWith("llava-shapes-compressed"), "a folder beside the model is proposed: "
                + field.getText());
        Label estimate = ROBOT.from(dialog.getScene().getRoot()).lookup("#estimateLabel").queryAs(Label.class);
        assertTrue(estimate.getText().contains("factored, with modeling code"), estimate.getText());

        Path taken = Files.createDirectories(folder.resolve("taken"));
        Path out = folder.resolve("exported");
        Label status = ROBOT.from(dialog.getScene().getRoot()).lookup("#statusLabel").queryAs(Label.class);
        WaitForAsyncUtils.asyncFx(() -> field.setText(taken.toString())).get();
        ROBOT.clickOn(ROBOT.from(dialog.getScene().getRoot()).lookup("#exportButton").<Node>query());
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(status.getText().contains("exists"), "an existing folder needs Replace: " + status.getText());

        WaitForAsyncUtils.asyncFx(() -> field.setText(out.toString())).get();
        ROBOT.clickOn(ROBOT.from(dialog.getScene().getRoot()).lookup("#exportButton").<Node>query());
        WaitForAsyncUtils.waitFor(180, TimeUnit.SECONDS, () -> status.getText().startsWith("Exported")
                || status.getText().startsWith("Export failed"));
        assertTrue(status.getText().startsWith("Exported"), status.getText());
        assertTrue(Files.isRegularFile(out.resolve("report.html")), "the report is written with the model");
        assertTrue(Files.isRegularFile(out.resolve("report/cka.svg")));
        assertEquals(plan.merges(), CompressionPlan.read(out.resolve("compression_plan.json")).merges());
        Screenshots.window(dialog.getScene().getRoot(), "export-dialog");
        WaitForAsyncUtils.asyncFx(dialog::close).get();
    }
}
