package org.lvlmworkbench.app;

/** Runs JavaFX tests on Monocle's headless platform when no display is available (CI). */
public final class HeadlessFx {

    private HeadlessFx() {
    }

    public static void configure() {
        String display = System.getenv("DISPLAY");
        if (display == null || display.isBlank() || Boolean.getBoolean("lvlm.forceHeadless")) {
            System.setProperty("testfx.robot", "glass");
            System.setProperty("testfx.headless", "true");
            System.setProperty("glass.platform", "Monocle");
            System.setProperty("monocle.platform", "Headless");
            System.setProperty("prism.order", "sw");
            System.setProperty("prism.text", "t2k");
            System.setProperty("java.awt.headless", "true");
        }
    }
}
