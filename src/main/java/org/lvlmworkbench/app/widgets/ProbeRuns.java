package org.lvlmworkbench.app.widgets;

import org.lvlmworkbench.core.analysis.probe.ProbeRun;

/** How the analysis views list a probe item that ran. */
public final class ProbeRuns {

    private ProbeRuns() {
    }

    /**
     * "✓ how many shapes are there?  → two": the verdict first (so a narrow list never cuts it off),
     * ✓ or ✗ only when the item has an expected answer.
     */
    public static String line(ProbeRun run) {
        String mark = run.correct() == null ? "" : run.correct() ? "✓ " : "✗ ";
        return mark + run.item().prompt() + "  → " + run.answer().strip();
    }
}
