package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import org.lvlmworkbench.core.jobs.Progress;

/** Progress for a terminal: a line on standard error at most every two seconds, nothing cancels. */
final class CliProgress {

    private CliProgress() {
    }

    static Progress to(PrintWriter err) {
        long[] last = {0};
        return Progress.of(() -> false, (fraction, message) -> {
            long now = System.nanoTime();
            if (now - last[0] > 2_000_000_000L) {
                last[0] = now;
                err.println(Double.isNaN(fraction) ? message : String.format("%3.0f%%  %s", 100 * fraction, message));
                err.flush();
            }
        });
    }
}
