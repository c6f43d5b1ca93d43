package org.lvlmworkbench.core.compress.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.compress.apply.PlanApplier;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.ForwardInputs;
import org.lvlmworkbench.core.nn.KvCache;
import org.lvlmworkbench.core.nn.Bf16Gemm;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.testing.SystemProperties;
import org.lvlmworkbench.testing.TinyModels;

/**
 * Exports of the sample loaded by Hugging Face transformers: merge + drop (plain class), low rank
 * with mixed ranks and sub-layer drops (auto class, trust_remote_code), FastV token pruning (auto
 * class), dense factors (plain class), and the other pruning methods together (auto class). Each is
 * exported in float32; {@code src/test/python/export_check.py} loads it, builds the inputs with the
 * export's own processor and chat template and answers greedily; its input ids and answers must equal
 * the Java engine's on the in-memory compressed model, and its logits at every step be within 1e-4
 * (over {@value #MAX_NEW_TOKENS} steps, continued past the end of sequence, so that decode steps on a
 * cache that pruning shortened are compared too).
 *
 * <p>Python comes from {@code $LVLM_PYTHON} (what {@code .ci/run} sets up: a virtual environment with
 * torch, transformers, safetensors and pillow), else {@code -Dlvlm.python}. Without one, or without
 * those packages, the test is reported as skipped with the reason. Work files stay in
 * {@code target/export-check/} for inspection.
 */
@Tag("slow")
class TransformersExportTest {

    static final String ENV = "LVLM_PYTHON";
    private static final double TOLERANCE = 1e-4;
    private static final int ITEMS = 3;
    private static final int MAX_NEW_TOKENS = 6;

    /** The interpreter, or the test is skipped saying why. */
    static String python() throws Exception {
        String python = System.getenv(ENV);
        if (python == null || python.isBlank()) {
            python = System.getProperty("lvlm.python");
        }
        Assumptions.assumeTrue(python != null && !python.isBlank(), "no Python for the transformers check: set "
                + ENV + " (or -Dlvlm.python) to an interpreter with torch, transformers, safetensors and pillow; "
                + ".ci/run creates one");
        Run probe = run(List.of(python, script().toString(), "probe"), Path.of("").toAbsolutePath(), 120);
        Assumptions.assumeTrue(probe.code == 0, python + " cannot run the check: " + probe.output.strip());
        JsonObject versions = JsonParser.parseString(lastLine(probe.output)).getAsJsonObject();
        String transformers = versions.get("transformers").getAsString();
        Assumptions.assumeTrue(Integer.parseInt(transformers.split("\\.")[0]) >= 5, python + " has transformers "
                + transformers + "; the export's modeling code is written for transformers 5");
        System.out.println("transformers check with " + versions);
        return python;
    }

    static Path script() {
        return Path.of("src/test/python/export_check.py").toAbsolutePath();
    }

    @Test
    void transformersLoadsEveryKindAndAnswersAsTheEngineDoes() throws Exception {
        String python = python();
        Path work = Path.of("target/export-check").toAbsolutePath();
        ModelExporter.deleteRecursively(work);
        Files.createDirectories(work);
        List<ProbeItem> items = ProbeSet.fromEvalFile(Path.of("samples/shapes-eval/eval.jsonl"), ITEMS).items();
        Map<String, Integer> expectedSteps = new LinkedHashMap<>();
        JsonArray cases = new JsonArray();
        try (LoadedModel original = TinyModels.load(ModelExporterTest.SAMPLE)) {
            String fp = PlanApplier.shapeOf(original).fingerprint();
            ExportOptions f32 = ExportOptions.DEFAULTS.withDtype(DType.F32);
            record Case(String name, CompressionPlan plan, ExportOptions options, String load) {
            }
            List<Case> all = List.of(
                    new Case("merge-drop", ExportPlans.mergeAndDrop(fp), f32, "plain"),
                    new Case("low-rank", ExportPlans.lowRank(fp), f32, "auto"),
                    new Case("fastv", ExportPlans.fastV(fp), f32, "auto"),
                    new Case("dense", ExportPlans.ranksOnly(fp), f32.withDense(true), "plain"),
                    new Case("pruning-mix", ExportPlans.pruningMix(fp), f32, "auto"));
            for (Case c : all) {
                Path folder = work.resolve(c.name);
                ModelExporter.Result r = ModelExporter.export(original, ExportPlans.PLAIN, c.plan, folder, c.options,
                        Progress.NONE);
                assertEquals(c.load.equals("auto") ? ModelExporter.Kind.REMOTE_CODE : ModelExporter.Kind.PLAIN, r.kind(),
                        c.name);
                JsonObject o = new JsonObject();
                o.addProperty("name", c.name);
                o.addProperty("folder", folder.toString());
                o.addProperty("load", c.load);
                JsonArray list = new JsonArray();
                try (LoadedModel compressed = PlanApplier.apply(original, c.plan, ExportPlans.PLAIN)) {
                    for (ProbeItem item : items) {
                        list.add(engineAnswer(compressed, item));
                    }
                }
                o.add("items", list);
                cases.add(o);
            }
        }
        JsonObject spec = new JsonObject();
        spec.addProperty("max_new_tokens", MAX_NEW_TOKENS);
        spec.add("cases", cases);
        Path casesFile = work.resolve("cases.json");
        Files.writeString(casesFile, new GsonBuilder().setPrettyPrinting().create().toJson(spec));
        Path resultFile = work.resolve("result.json");
        Run check = run(List.of(python, script().toString(), casesFile.toString(), resultFile.toString()), work, 600);
        assertEquals(0, check.code, "export_check.py failed:\n" + check.output);
        JsonObject result = JsonParser.parseString(Files.readString(resultFile)).getAsJsonObject();

        List<String> problems = new ArrayList<>();
        StringBuilder summary = new StringBuilder("transformers " + result.get("transformers").getAsString()
                + ", largest logit difference per export:");
        for (int c = 0; c < cases.size(); c++) {
            JsonObject expected = cases.get(c).getAsJsonObject();
            JsonObject got = result.getAsJsonArray("cases").get(c).getAsJsonObject();
            String name = expected.get("name").getAsString();
            String wantedClass = expected.get("load").getAsString().equals("auto") ? ModelExporter.MODEL_CLASS
                    : "LlavaForConditionalGeneration";
            check(problems, name + ": class", wantedClass, got.get("class").getAsString());
            for (String keys : List.of("missing_keys", "unexpected_keys", "mismatched_keys")) {
                check(problems, name + ": " + keys, "[]", got.get(keys).toString());
            }
            double worst = 0;
            for (int i = 0; i < ITEMS; i++) {
                JsonObject want = expected.getAsJsonArray("items").get(i).getAsJsonObject();
                JsonObject have = got.getAsJsonArray("items").get(i).getAsJsonObject();
                String at = name + " item " + i;
                check(problems, at + ": input ids", want.get("input_ids").toString(), have.get("input_ids").toString());
                check(problems, at + ": greedy answer", want.get("hf_new_ids").toString(), have.get("new_ids").toString());
                check(problems, at + ": tokens past the end of sequence", want.get("forced_ids").toString(),
                        have.get("forced_ids").toString());
                double diff = have.get("max_logit_diff").getAsDouble();
                worst = Math.max(worst, diff);
                if (!(diff <= TOLERANCE)) {
                    problems.add(at + ": logits differ by " + diff + " > " + TOLERANCE);
                }
            }
            summary.append(String.format(" %s %.2e (%s);", name, worst, got.get("class").getAsString()));
        }
        System.out.println(summary);
        assertTrue(problems.isEmpty(), String.join("\n", problems) + "\n" + summary);
    }

    /**
     * The engine on the in-memory compressed model: input ids; its greedy answer as HF lists it (an
     * end-of-sequence token included); and, continuing past any end of sequence for
     * {@value #MAX_NEW_TOKENS} tokens (the argmax among the other tokens, as HF's {@code min_new_tokens}
     * picks), the tokens and the raw logits of every pass, so that several decode steps on a pruned
     * cache are compared too.
     */
    private static JsonObject engineAnswer(LoadedModel model, ProbeItem item) {
        return SystemProperties.with(Bf16Gemm.SETTING, "f32", () -> {
            long[] ids = model.processor().encode(item.prompt(), 1);
            JsonObject o = new JsonObject();
            o.addProperty("image", item.image().toAbsolutePath().toString());
            o.addProperty("prompt", item.prompt());
            o.add("input_ids", longs(ids));
            try (NDManager m = model.model().manager().newSubManager()) {
                NDArray pixels = model.processor().pixelValues(List.of(RgbImage.read(item.image())), m);
                GenerationResult g = Generator.generate(model, ids, pixels, GenerationSettings.greedy(MAX_NEW_TOKENS),
                        Hooks.NONE, null);
                JsonArray hfIds = longs(g.newIds());
                if (g.stopReason() == GenerationResult.StopReason.END_OF_SEQUENCE) {
                    hfIds.add(model.eosTokenIds().get(0));
                }
                o.add("hf_new_ids", hfIds);

                JsonArray forced = new JsonArray();
                JsonArray logits = new JsonArray();
                try (KvCache cache = model.model().newCache(m)) {
                    NDArray out = model.model().forward(ForwardInputs.of(m.create(ids, new Shape(1, ids.length)), pixels)
                            .lastLogitsOnly(), Hooks.NONE, cache);
                    for (int step = 0; step < MAX_NEW_TOKENS; step++) {
                        long rows = out.getShape().get(1);
                        float[] last = out.get(0).get(rows - 1).toFloatArray();
                        JsonArray row = new JsonArray();
                        for (float v : last) {
                            row.add(v);
                        }
                        logits.add(row);
                        int token = argmaxExcept(last, model.eosTokenIds());
                        forced.add(token);
                        if (step + 1 < MAX_NEW_TOKENS) {
                            out = model.model().forward(m.create(new long[] {token}, new Shape(1, 1)), null, Hooks.NONE,
                                    cache);
                        }
                    }
                }
                o.add("forced_ids", forced);
                o.add("logits", logits);
            }
            return o;
        });
    }

    private static int argmaxExcept(float[] v, List<Long> excluded) {
        int best = -1;
        for (int i = 0; i < v.length; i++) {
            if (!excluded.contains((long) i) && (best < 0 || v[i] > v[best])) {
                best = i;
            }
        }
        return best;
    }

    private static JsonArray longs(long[] values) {
        JsonArray a = new JsonArray();
        for (long v : values) {
            a.add(v);
        }
        return a;
    }

    private static void check(List<String> problems, String what, String expected, String actual) {
        if (!expected.equals(actual)) {
            problems.add(what + ": expected " + expected + " but transformers gave " + actual);
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    record Run(int code, String output) {
    }

    static Run run(List<String> command, Path dir, long timeoutSeconds) throws Exception {
        Path log = Files.createTempFile("export-check", ".log");
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Run(-1, "timed out after " + timeoutSeconds + " s: " + Files.readString(log));
            }
            return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return new Run(-1, String.join(" ", command) + ": " + e.getMessage());
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
