package org.lvlmworkbench.app;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.SnapshotParameters;
import javafx.scene.paint.Color;
import org.lvlmworkbench.app.widgets.PngExport;
import org.testfx.util.WaitForAsyncUtils;

/**
 * PNG snapshots of what a TestFX test shows, for the README: written only when the system property
 * {@code lvlm.screenshots} names a folder (e.g. {@code -Dlvlm.screenshots=docs/screenshots}).
 */
public final class Screenshots {

    private Screenshots() {
    }

    /** Whether snapshots are asked for in this run. */
    public static boolean wanted() {
        String dir = System.getProperty("lvlm.screenshots");
        return dir != null && !dir.isBlank();
    }

    /** Writes the whole window of {@code node} as {@code name}.png, when {@link #wanted()}. */
    public static void window(Node node, String name) throws Exception {
        if (!wanted()) {
            return;
        }
        Scene scene = node.getScene();
        write(() -> scene.snapshot(null), name);
    }

    /** Writes {@code node} alone as {@code name}.png, when {@link #wanted()}. */
    public static void node(Node node, String name) throws Exception {
        if (!wanted()) {
            return;
        }
        SnapshotParameters params = new SnapshotParameters();
        params.setFill(Color.WHITE);
        write(() -> node.snapshot(params, null), name);
    }

    private static void write(java.util.concurrent.Callable<javafx.scene.image.Image> take, String name)
            throws Exception {
        WaitForAsyncUtils.waitForFxEvents();
        Path dir = Path.of(System.getProperty("lvlm.screenshots"));
        Files.createDirectories(dir);
        javafx.scene.image.Image image = WaitForAsyncUtils.asyncFx(take).get();
        PngExport.write(image, dir.resolve(name + ".png"));
    }
}
