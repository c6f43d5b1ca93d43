package org.lvlmworkbench.app.widgets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.layout.HBox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.app.HeadlessFx;
import org.lvlmworkbench.core.processing.RgbImage;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The patch overlay and the line chart on screen: what their read-outs say under the mouse. */
class PlotWidgetsTest {

    private static final FxRobot ROBOT = new FxRobot();
    private final List<int[]> clicks = new CopyOnWriteArrayList<>();
    private PatchOverlayView overlay;
    private LineChartView chart;

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
            overlay = new PatchOverlayView();
            overlay.setImage(new RgbImage(4, 4, new byte[4 * 4 * 3]));
            overlay.setGrid(2, 2);
            overlay.setValues(new double[][] {{0, 1}, {3, 2}});
            overlay.setValueLabel("attention", "%");
            overlay.setOnCellClicked((row, col) -> clicks.add(new int[] {row, col}));
            chart = new LineChartView();
            chart.setSeries(List.of(new LineChartView.Series("a", new double[] {1, 2, 3}, new double[] {1, 10, 100}),
                    new LineChartView.Series("b", new double[] {1, 2, 3}, new double[] {-1, 5, 50},
                            List.of("x", "y", "z"))));
            chart.setLogY(true);
            chart.setYUnit("ms");
            stage.setScene(new Scene(new HBox(overlay, chart), 840, 400));
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void theOverlayReadsOutTheCellAndItsValue() {
        HeatmapGeometry g = overlay.geometry();
        Insets in = overlay.getInsets();
        Point2D cell = overlay.localToScreen(in.getLeft() + g.centerX(0), in.getTop() + g.centerY(1));
        ROBOT.moveTo(cell);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("row 1, col 0: 3 %", overlay.readoutProperty().get());
        overlay.setCellLabeler((r, c) -> "patch (" + r + ", " + c + ")");
        ROBOT.moveBy(1, 0);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("patch (1, 0): 3 %", overlay.readoutProperty().get());
        ROBOT.clickOn(cell);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(List.of(1, 0), List.of(clicks.get(0)[0], clicks.get(0)[1]));
    }

    @Test
    void theChartReadsOutTheNearestDrawnPoint() {
        ROBOT.moveTo(onScreen(chart.pointAt(1, 1)).add(0, -6));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("b · 2 (y): 5 ms", chart.readoutProperty().get());
        ROBOT.moveTo(onScreen(chart.pointAt(0, 2)).add(3, 3));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("a · 3: 100 ms", chart.readoutProperty().get());
        assertNull(chart.pointAt(1, 0), "y = -1 has no place on a log axis");
    }

    private Point2D onScreen(Point2D canvasPoint) {
        Insets in = chart.getInsets();
        return chart.localToScreen(in.getLeft() + canvasPoint.getX(), in.getTop() + canvasPoint.getY());
    }
}
