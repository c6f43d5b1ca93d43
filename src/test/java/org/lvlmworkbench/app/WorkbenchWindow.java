package org.lvlmworkbench.app;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.application.Application;
import javafx.scene.Node;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.Spinner;
import javafx.scene.input.KeyCode;
import org.lvlmworkbench.core.sample.ShapesEvalSet;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The app in a TestFX window, as a view test starts it: on a model folder, with a fresh evaluation file
 * of shapes questions in a temporary folder and, where asked, an empty result cache (so that every
 * analysis computes). {@link #close()} takes the window down and the cache setting back.
 */
public final class WorkbenchWindow implements AutoCloseable {

    private static final FxRobot ROBOT = new FxRobot();

    private final Application app;
    private final Path folder;
    private final Path evalFile;
    private final boolean ownCache;

    private WorkbenchWindow(Application app, Path folder, Path evalFile, boolean ownCache) {
        this.app = app;
        this.folder = folder;
        this.evalFile = evalFile;
        this.ownCache = ownCache;
    }

    /**
     * Opens the app on {@code model} with {@code questions} questions drawn by {@code world}.
     *
     * @param name       names the temporary folders
     * @param emptyCache whether {@code lvlm.cache} points at a new empty folder while the window is open
     */
    public static WorkbenchWindow open(String name, Path model, ShapesWorld world, int questions, boolean emptyCache)
            throws Exception {
        HeadlessFx.configure();
        if (emptyCache) {
            System.setProperty("lvlm.cache", Files.createTempDirectory(name + "-cache").toString());
        }
        Path folder = Files.createTempDirectory(name);
        Path file = ShapesEvalSet.write(folder, world, questions);
        FxToolkit.registerPrimaryStage();
        Application app = FxToolkit.setupApplication(WorkbenchApp.class, model.toString(), file.toString());
        return new WorkbenchWindow(app, folder, file, emptyCache);
    }

    /** The temporary folder that holds the evaluation file, for a test's own files. */
    public Path folder() {
        return folder;
    }

    public Path evalFile() {
        return evalFile;
    }

    /** The navigator's entry for the view titled {@code title}. */
    public static Node navigatorCell(String title) {
        return ROBOT.lookup(".navigator .list-cell").match((ListCell<?> cell) -> title.equals(cell.getText())).query();
    }

    /** Waits until the model is open (the status line says "Opened"). */
    public static void waitUntilOpened() throws TimeoutException {
        Label status = ROBOT.lookup("#statusLabel").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> status.getText().startsWith("Opened"));
    }

    /** Types {@code n} into the Compress view's calibration spinner, as a user does, and waits for the empty plan. */
    public static void useCalibrationItems(int n) throws TimeoutException {
        ROBOT.clickOn(navigatorCell("Compress"));
        Spinner<?> calibration = ROBOT.lookup("#calibrationSpinner").queryAs(Spinner.class);
        ROBOT.doubleClickOn(calibration.getEditor()).write(Integer.toString(n)).type(KeyCode.ENTER);
        Label planSummary = ROBOT.lookup("#planSummary").queryAs(Label.class);
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> planSummary.getText().startsWith("No changes"));
    }

    /** Opens the view titled {@code title} and clicks its Run button once it is enabled; returns the button. */
    public static Button run(String title) throws TimeoutException {
        ROBOT.clickOn(navigatorCell(title));
        Button run = ROBOT.lookup("#runButton").queryButton();
        WaitForAsyncUtils.waitFor(60, TimeUnit.SECONDS, () -> !run.isDisabled());
        ROBOT.clickOn(run);
        return run;
    }

    @Override
    public void close() throws Exception {
        FxToolkit.cleanupApplication(app);
        FxToolkit.cleanupStages();
        if (ownCache) {
            System.clearProperty("lvlm.cache");
        }
    }
}
