package org.lvlmworkbench.app;

import javafx.application.Application;

/**
 * Entry point for the desktop app. JavaFX refuses to start from a main class that extends
 * {@code Application} when it sits on the class path (as it does here, beside DJL), so this
 * plain class launches it.
 */
public final class Launcher {

    private Launcher() {
    }

    public static void main(String[] args) {
        Application.launch(WorkbenchApp.class, args);
    }
}
