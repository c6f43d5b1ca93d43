package org.lvlmworkbench.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The headless workbench: everything the GUI does, from a terminal or a GPU server. */
@Command(name = "lvlm", mixinStandardHelpOptions = true, version = "LVLM Workbench 0.1.0",
        description = "Open, run, interpret and compress vision-language models in Hugging Face format.",
        subcommands = {AppCommand.class, RunCommand.class, InspectCommand.class, EvalCommand.class, TrainSampleCommand.class,
                MakeRandomCommand.class, BenchCommand.class, AnalyzeCommand.class, PlanCommand.class, EvaluatePlanCommand.class,
                ExportCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(new java.io.PrintWriter(System.out, true), new java.io.PrintWriter(System.err, true), args);
    }

    public static int execute(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            // Errors from bad input already name the file and field; a stack trace would bury that.
            cmd.getErr().println("error: " + e.getMessage());
            if (Boolean.getBoolean("lvlm.debug")) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }
}
