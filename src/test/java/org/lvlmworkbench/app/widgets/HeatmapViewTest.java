package org.lvlmworkbench.app.widgets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javafx.geometry.Insets;
import javafx.geometry.Point2D;
import javafx.scene.Scene;
import javafx.scene.control.Label;
import javafx.scene.layout.StackPane;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.app.HeadlessFx;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** A small heatmap on screen: hover reads out the cell, a click selects it, Save PNG writes what is shown. */
class HeatmapViewTest {

    private static final FxRobot ROBOT = new FxRobot();
    private final List<int[]> clicks = new CopyOnWriteArrayList<>();
    private HeatmapView view;

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
            view = new HeatmapView();
            view.setData(new double[][] {{1, 2, 3}, {4, 5, 6}}, List.of("a", "b"), List.of("x", "y", "z"));
            view.setValueLabel("score", "pt");
            view.setOnCellClicked((row, col) -> clicks.add(new int[] {row, col}));
            stage.setScene(new Scene(new StackPane(view), 420, 300));
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @Test
    void hoverReadsOutTheCellAndAClickSelectsIt() {
        Point2D cell = onScreen(1, 2);
        ROBOT.moveTo(cell);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("b · z: 6 pt", view.readoutProperty().get());
        Label shown = ROBOT.lookup(".widget-readout").queryAs(Label.class);
        assertTrue(shown.isVisible());
        assertEquals("b · z: 6 pt", shown.getText());

        ROBOT.moveTo(onScreen(0, 0));
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals("a · x: 1 pt", view.readoutProperty().get());

        ROBOT.clickOn(cell);
        WaitForAsyncUtils.waitForFxEvents();
        assertEquals(1, clicks.size());
        assertArrayEquals(new int[] {1, 2}, clicks.get(0));
        assertArrayEquals(new int[] {1, 2}, view.selection());
    }

    @Test
    void savePngWritesExactlyWhatIsShown(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("map.png");
        WaitForAsyncUtils.asyncFx(() -> view.savePng(file)).get();
        BufferedImage png = ImageIO.read(file.toFile());
        Insets in = view.getInsets();
        assertEquals((int) (view.getWidth() - in.getLeft() - in.getRight()), png.getWidth());
        assertEquals((int) (view.getHeight() - in.getTop() - in.getBottom()), png.getHeight());
        HeatmapGeometry g = view.geometry();
        assertEquals(ColorMap.VIRIDIS.argb(0), png.getRGB((int) g.centerX(0), (int) g.centerY(0)), "1 is the minimum");
        assertEquals(ColorMap.VIRIDIS.argb(1), png.getRGB((int) g.centerX(2), (int) g.centerY(1)), "6 is the maximum");
        assertEquals(0xffffffff, png.getRGB(1, 1), "the background is white");

        WaitForAsyncUtils.asyncFx(() -> {
            view.setRange(0, 12);
            view.savePng(file);
        }).get();
        png = ImageIO.read(file.toFile());
        assertEquals(ColorMap.VIRIDIS.argb(0.5), png.getRGB((int) g.centerX(2), (int) g.centerY(1)),
                "in a fixed range [0, 12], 6 is the middle");
    }

    private Point2D onScreen(int row, int col) {
        HeatmapGeometry g = view.geometry();
        Insets in = view.getInsets();
        return view.localToScreen(in.getLeft() + g.centerX(col), in.getTop() + g.centerY(row));
    }
}
