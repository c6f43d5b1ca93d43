package org.lvlmworkbench.core.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the source tree, checked on every import and every fully qualified name in code.
 * Floors, lowest first: file formats and tensor lifetimes (safetensors, config, memory); hook
 * names, shared processors and writers (hooks, processing, export); runtime building blocks (nn) and
 * the optimiser that training and SoCo compression share (optim);
 * the architecture-neutral contract (model);
 * the families (arch.*); the registry (arch); loading; the workflows; the two faces (app, cli).
 * A package may use lower floors freely and its own floor only where {@link #SAME_FLOOR_ALLOWED} says.
 */
class PackageRulesTest {

    private static final String ROOT = "org.lvlmworkbench.";
    private static final Map<String, Integer> FLOORS = new LinkedHashMap<>();

    static {
        List<List<String>> floors = List.of(
                List.of("core.safetensors", "core.config", "core.memory", "core.jobs", "core.linalg"),
                List.of("core.hooks", "core.processing", "core.export", "core.render", "core.model.pruning"),
                List.of("core.nn", "core.optim"),
                List.of("core.model"),
                List.of("core.arch.*"),
                List.of("core.arch"),
                List.of("core.loading"),
                List.of("core.generate"),
                List.of("core.eval"),
                List.of("core.analysis.probe"),
                List.of("core.analysis.evolution", "core.analysis.similarity", "core.analysis.spectra",
                        "core.analysis.tokens"),
                List.of("core.analysis"),
                List.of("core.compress.lowrank"),
                List.of("core.compress.plan"),
                List.of("core.compress.apply"),
                List.of("core.compress.depth", "core.compress.evaluate", "core.compress.export", "core.compress.soco",
                        "core.compress.tokens"),
                List.of("core.compress.report"),
                List.of("core.compress"),
                List.of("core.sample"),
                List.of("core.train", "core.bench"),
                List.of("app.widgets", "app.session"),
                List.of("app.views.*"),
                List.of("app"),
                List.of("cli"));
        for (int i = 0; i < floors.size(); i++) {
            for (String p : floors.get(i)) {
                FLOORS.put(p, i);
            }
        }
    }

    /**
     * Same-floor uses that are part of the design: LLaVA is built from the CLIP and Llama families; the
     * Compress view opens the Export dialog on its plan.
     */
    private static final Set<String> SAME_FLOOR_ALLOWED = Set.of("core.arch.llava -> core.arch.clip",
            "core.arch.llava -> core.arch.llama", "app.views.compress -> app.views.export");

    private static final Pattern PROJECT_REF = Pattern.compile("org\\.lvlmworkbench\\.([a-z][a-z0-9.]*)\\.[A-Z]");
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?([\\w.]+);", Pattern.MULTILINE);

    private static final Map<Path, String> SOURCES = new LinkedHashMap<>();

    @BeforeAll
    static void readSources() throws IOException {
        Path main = Path.of("src/main/java/org/lvlmworkbench");
        assertTrue(Files.isDirectory(main), "run from the project root");
        try (Stream<Path> files = Files.walk(main)) {
            files.filter(p -> p.toString().endsWith(".java")).forEach(p -> {
                try {
                    SOURCES.put(p, Files.readString(p));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
        assertTrue(SOURCES.size() > 60, "the scan must see the sources, saw " + SOURCES.size());
    }

    @Test
    void coreRunsHeadlessAndKnowsNoFace() {
        assertNoUse("core.", List.of("javafx.", "org.controlsfx", "io.fair_acc", "picocli.", "javax.swing.",
                ROOT + "cli.", ROOT + "app."));
    }

    @Test
    void mathRenderingAndJobsArePlainJava() {
        // Usable from any thread and any face, and testable without the engine.
        assertNoUse("core.linalg.", List.of("ai.djl.", "org.bytedeco."));
        assertNoUse("core.render.", List.of("ai.djl.", "org.bytedeco.", "java.awt.Window", "java.awt.Frame"));
        assertNoUse("core.jobs.", List.of("ai.djl.", "org.bytedeco."));
        assertNoUse("core.model.pruning.", List.of("ai.djl.", "org.bytedeco."));
        assertNoUse("core.compress.lowrank.", List.of("ai.djl.", "org.bytedeco."));
        assertNoUse("core.compress.plan.", List.of("ai.djl.", "org.bytedeco."));
    }

    @Test
    void facesHoldNoTensors() {
        assertNoUse("app.", List.of("ai.djl.", "org.bytedeco."));
        assertNoUse("cli.", List.of("ai.djl.", "org.bytedeco."));
    }

    @Test
    void contractNamesNoFamily() {
        assertNoUse("core.model.", List.of(ROOT + "core.arch.", ROOT + "core.loading."));
    }

    @Test
    void everyPackageHasAFloor() {
        Set<String> unknown = new TreeSet<>();
        for (Path p : SOURCES.keySet()) {
            if (floor(packageOf(p)) == null) {
                unknown.add(packageOf(p));
            }
        }
        assertEquals(Set.of(), unknown, "packages missing from PackageRulesTest.FLOORS");
    }

    @Test
    void noPackageUsesAHigherFloor() {
        List<String> violations = new ArrayList<>();
        for (Map.Entry<Path, String> e : SOURCES.entrySet()) {
            String from = packageOf(e.getKey());
            Matcher m = PROJECT_REF.matcher(e.getValue());
            Set<String> targets = new TreeSet<>();
            while (m.find()) {
                targets.add(m.group(1));
            }
            for (String to : targets) {
                if (to.equals(from)) {
                    continue;
                }
                Integer a = floor(from);
                Integer b = floor(to);
                if (a == null) {
                    continue; // everyPackageHasAFloor names it
                }
                boolean ok = b != null && (b < a || SAME_FLOOR_ALLOWED.contains(from + " -> " + to));
                if (!ok) {
                    violations.add(e.getKey() + ": " + from + " (floor " + a + ") uses " + to + " (floor " + b + ")");
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    /** The rules must be able to fail: a made-up upward reference is caught. */
    @Test
    void anUpwardReferenceIsCaught() {
        Matcher m = PROJECT_REF.matcher("import org.lvlmworkbench.core.loading.ModelLoader;");
        assertTrue(m.find());
        assertTrue(floor(m.group(1)) > floor("core.model"), "loading sits above the contract");
    }

    private static void assertNoUse(String packagePrefix, List<String> forbidden) {
        List<String> offenders = new ArrayList<>();
        for (Map.Entry<Path, String> e : SOURCES.entrySet()) {
            if (!(packageOf(e.getKey()) + ".").startsWith(packagePrefix)) {
                continue;
            }
            String code = e.getValue();
            Matcher m = IMPORT.matcher(code);
            while (m.find()) {
                for (String f : forbidden) {
                    if (m.group(1).startsWith(f)) {
                        offenders.add(e.getKey() + " imports " + m.group(1));
                    }
                }
            }
            String body = IMPORT.matcher(code).replaceAll("");
            for (String f : forbidden) {
                if (body.contains(f)) {
                    offenders.add(e.getKey() + " names " + f + " inline");
                }
            }
        }
        assertEquals(List.of(), offenders);
    }

    private static String packageOf(Path file) {
        Path rel = Path.of("src/main/java").relativize(file.getParent());
        return rel.toString().replace('/', '.').substring(ROOT.length());
    }

    private static Integer floor(String pkg) {
        if (FLOORS.containsKey(pkg)) {
            return FLOORS.get(pkg);
        }
        if (pkg.startsWith("core.arch.")) {
            return FLOORS.get("core.arch.*");
        }
        if (pkg.startsWith("app.views.")) {
            return FLOORS.get("app.views.*");
        }
        return null;
    }
}
