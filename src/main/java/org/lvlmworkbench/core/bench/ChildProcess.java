package org.lvlmworkbench.core.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** Starts the benchmark's child processes and collects their one-line results. */
public final class ChildProcess {

    /** JVM options that take their value as the next argument. */
    private static final Set<String> WITH_VALUE = Set.of("--add-modules", "--add-opens", "--add-exports",
            "--add-reads", "--enable-native-access", "--limit-modules", "--patch-module");

    private ChildProcess() {
    }

    /**
     * The command that starts {@code mainClass} in a JVM like this one: the same {@code java}, class
     * path, system properties, memory and module flags. Debugger and agent flags are not copied (a
     * child would fight for the debugger's port); nor is the class path flag, which is set from
     * {@code java.class.path}.
     */
    public static List<String> javaCommand(String mainClass, List<String> args) {
        return javaCommand(javaExecutable(), ManagementFactory.getRuntimeMXBean().getInputArguments(),
                System.getProperty("java.class.path"), mainClass, args);
    }

    static List<String> javaCommand(String java, List<String> jvmArgs, String classPath, String mainClass,
            List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(copiedJvmFlags(jvmArgs));
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /** The flags of {@code jvmArgs} a child JVM should get. */
    static List<String> copiedJvmFlags(List<String> jvmArgs) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < jvmArgs.size(); i++) {
            String a = jvmArgs.get(i);
            if (a.startsWith("-agentlib") || a.startsWith("-agentpath") || a.startsWith("-javaagent")
                    || a.startsWith("-Xdebug") || a.startsWith("-Xrunjdwp") || a.equals("-cp")
                    || a.equals("-classpath") || a.equals("--class-path")) {
                if ((a.equals("-cp") || a.equals("-classpath") || a.equals("--class-path")) && i + 1 < jvmArgs.size()) {
                    i++;
                }
                continue;
            }
            if (a.startsWith("-D") || a.startsWith("-X") || a.startsWith("--add-") || a.startsWith("--enable-")
                    || a.startsWith("--limit-modules") || a.startsWith("--patch-module") || a.equals("-ea")
                    || a.equals("-esa") || a.startsWith("-enableassertions")) {
                out.add(a);
                if (WITH_VALUE.contains(a) && i + 1 < jvmArgs.size()) {
                    out.add(jvmArgs.get(++i));
                }
            }
        }
        return out;
    }

    static String javaExecutable() {
        return ProcessHandle.current().info().command()
                .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    /**
     * Runs {@code command}, its output going to {@code logBase}.out and .err, and returns its result
     * line; a non-zero exit, a timeout or a missing line is a failed result naming the cause.
     */
    public static RunResult run(List<String> command, Path logBase, long timeoutSeconds) {
        Path out = logBase.resolveSibling(logBase.getFileName() + ".out");
        Path err = logBase.resolveSibling(logBase.getFileName() + ".err");
        try {
            Files.createDirectories(out.toAbsolutePath().getParent());
            Process p;
            try {
                p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            } catch (IOException e) {
                return RunResult.failed("cannot start " + command.get(0) + ": " + e.getMessage());
            }
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                return RunResult.failed("timed out after " + timeoutSeconds + " s (log: " + err + ")");
            }
            String stdout = Files.readString(out);
            if (p.exitValue() != 0) {
                return RunResult.failed("exit " + p.exitValue() + ": " + lastLines(err, 3) + " (log: " + err + ")");
            }
            return RunResult.parse(stdout);
        } catch (IOException e) {
            return RunResult.failed("cannot read its output: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return RunResult.failed("interrupted");
        }
    }

    /** The last {@code n} non-blank lines of a log, joined; blank when there are none. */
    static String lastLines(Path file, int n) {
        try {
            List<String> lines = new ArrayList<>();
            for (String l : Files.readAllLines(file)) {
                if (!l.isBlank()) {
                    lines.add(l.strip());
                }
            }
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
