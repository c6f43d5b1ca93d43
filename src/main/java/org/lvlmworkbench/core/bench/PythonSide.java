package org.lvlmworkbench.core.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Where the transformers side runs: a Python interpreter ({@code --python}, else the environment
 * variable {@code LVLM_BENCH_PYTHON}, else {@code python3}) and the script
 * {@code src/main/python/bench_transformers.py}. When either is missing, or the interpreter lacks
 * torch, transformers or safetensors, the side is skipped with that reason (never estimated).
 */
public record PythonSide(String python, Path script, String skipped, String versions) {

    public static final String SCRIPT = "src/main/python/bench_transformers.py";
    public static final String ENV = "LVLM_BENCH_PYTHON";

    /** The interpreter to use: the option, else the environment variable, else {@code python3}. */
    public static String choosePython(String option, String env) {
        if (option != null && !option.isBlank()) {
            return option;
        }
        if (env != null && !env.isBlank()) {
            return env;
        }
        return "python3";
    }

    /**
     * The script, looked for under the project root as the launcher names it ({@code lvlm.samples}'s
     * parent), the working folder, and above the folder the classes were loaded from; or
     * {@code -Dlvlm.benchScript}.
     */
    public static List<Path> scriptCandidates() {
        Set<Path> roots = new LinkedHashSet<>();
        String explicit = System.getProperty("lvlm.benchScript");
        List<Path> out = new ArrayList<>();
        if (explicit != null && !explicit.isBlank()) {
            out.add(Path.of(explicit));
        }
        String samples = System.getProperty("lvlm.samples");
        if (samples != null && !samples.isBlank() && Path.of(samples).toAbsolutePath().getParent() != null) {
            roots.add(Path.of(samples).toAbsolutePath().getParent());
        }
        roots.add(Path.of(System.getProperty("user.dir")).toAbsolutePath());
        try {
            Path classes = Path.of(BenchWorker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            for (Path p = classes; p != null; p = p.getParent()) {
                roots.add(p);
            }
        } catch (Exception e) {
            // No code source (an unusual class loader): the other roots remain.
        }
        for (Path r : roots) {
            out.add(r.resolve(SCRIPT).normalize());
        }
        return out;
    }

    /** Finds the interpreter and script and asks the interpreter for its versions ({@code probe}). */
    public static PythonSide probe(String python, Path work, long timeoutSeconds) {
        Path script = null;
        List<Path> candidates = scriptCandidates();
        for (Path c : candidates) {
            if (Files.isRegularFile(c)) {
                script = c;
                break;
            }
        }
        if (script == null) {
            return new PythonSide(python, null, "bench_transformers.py not found (looked at "
                    + candidates.stream().limit(3).map(Path::toString).reduce((a, b) -> a + ", " + b).orElse("")
                    + "; set -Dlvlm.benchScript)", null);
        }
        RunResult r = ChildProcess.run(List.of(python, script.toString(), "probe"), work.resolve("logs/python-probe"),
                timeoutSeconds);
        if (!r.ok()) {
            return new PythonSide(python, script, python + ": " + r.error(), null);
        }
        String versions = "python " + r.text("python") + ", torch " + r.text("torch") + ", transformers "
                + r.text("transformers");
        return new PythonSide(python, script, null, versions);
    }

    public boolean available() {
        return skipped == null;
    }

    /** The command for one mode of the script. */
    public List<String> command(String mode, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(python, script.toString(), mode));
        cmd.addAll(args);
        return cmd;
    }
}
