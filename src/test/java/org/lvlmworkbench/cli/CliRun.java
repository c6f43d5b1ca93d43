package org.lvlmworkbench.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One in-process run of the command line, as a user would see it: exit code, standard output and error. */
record CliRun(int code, String out, String err) {

    static CliRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CliRun(code, out.toString(), err.toString());
    }
}
