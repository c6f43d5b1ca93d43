package org.lvlmworkbench.app.widgets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.control.ToggleButton;
import javafx.scene.layout.VBox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.HeadlessFx;
import org.lvlmworkbench.core.render.ValueRange;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The widgets the analysis views added, on screen: scatter read-outs, heatmap marks, the token strip. */
class AnalysisWidgetsTest {

    private static final FxRobot ROBOT = new FxRobot();
    private ScatterView scatter;
    private HeatmapView heatmap;
    private TokenStrip strip;

    @BeforeAll
    static void toolkit() throws Exception {
        HeadlessFx.configure();
        FxToolkit.registerPrimaryStage();
    }

    @AfterAll
    static void cleanUp() throws Exception {
        FxToolkit.cleanupStages();
    }

    @BeforeEach
    void show() throws Exception {
        FxToolkit.setupStage(stage -> {
            scatter = new ScatterView();
            scatter.setPoints(List.of(new ScatterView.Point(0, 0, "two", "how many? → two"),
                    new ScatterView.Point(1, 2, "red", "what color? → red"),
                    new ScatterView.Point(3, 1, "two", "how many here? → two")));
            scatter.setAxisLabels("PC1", "PC2");
            heatmap = new HeatmapView();
            heatmap.show(new HeatmapData(new double[][] {{0.5, 0.1, 0.0}}, List.of("answer 1"),
                    List.of("emb→0", "0→1", "1→2"), "JS divergence", "bits", new ValueRange(0, 1),
                    List.of(new HeatmapView.Mark(0, 1, "critical", false))));
            strip = new TokenStrip();
            strip.setChips(List.of(new TokenStrip.Chip("how", "", false), new TokenStrip.Chip(":", "answer", true)), 1);
            VBox box = new VBox(scatter, heatmap, strip);
            stage.setScene(new Scene(box, 500, 700));
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void theScatterReadsOutThePointUnderTheMouse() {
        ROBOT.moveTo(onScreen(scatter, scatter.pointAt(1)).add(2, 1));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("what color? → red", scatter.readoutProperty().get());
        ROBOT.moveTo(onScreen(scatter, scatter.pointAt(2)));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("how many here? → two", scatter.readoutProperty().get());
    }

    @Test
    void aMarkJoinsItsCellsReadOutAndMustFit() {
        HeatmapGeometry g = heatmap.geometry();
        ROBOT.moveTo(onScreen(heatmap, new Point2D(g.centerX(1), g.centerY(0))));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("answer 1 · 0→1: 0.1 bits · critical", heatmap.readoutProperty().get());
        ROBOT.moveTo(onScreen(heatmap, new Point2D(g.centerX(0), g.centerY(0))));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("answer 1 · emb→0: 0.5 bits", heatmap.readoutProperty().get());
        assertThrows(IndexOutOfBoundsException.class,
                () -> heatmap.setMarks(List.of(new HeatmapView.Mark(1, 0, "outside", true))));
    }

    @Test
    void theTokenStripSelectsOneChipAtATime() {
        assertEquals(1, strip.selectedIndexProperty().get());
        ToggleButton how = (ToggleButton) strip.getChildren().get(0);
        ROBOT.clickOn(how);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(0, strip.selectedIndexProperty().get());
        ROBOT.clickOn(how);
        WaitForAsyncUtils.waitForFxEvents();
        assertTrue(how.isSelected(), "clicking the chosen chip keeps it chosen");
        assertEquals(0, strip.selectedIndexProperty().get());
    }

    private static Point2D onScreen(CanvasWidget widget, Point2D canvasPoint) {
        Insets in = widget.getInsets();
        return widget.localToScreen(in.getLeft() + canvasPoint.getX(), in.getTop() + canvasPoint.getY());
    }
}
