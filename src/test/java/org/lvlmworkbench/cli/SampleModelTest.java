package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.eval.EvalReport;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.eval.Evaluator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.SafetensorsFile;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/** The shipped sample model, read from the committed files (never retrained here). */
class SampleModelTest {

    private static String cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
        assertEquals(0, code, "exit code; stderr: " + err);
        return out.toString();
    }

    @Test
    void shipsInHfLayoutWithTheRequiredDepth() throws Exception {
        Path folder = SampleModel.defaultModel();
        for (String f : new String[] {"config.json", "model.safetensors", "tokenizer.json", "preprocessor_config.json",
                "chat_template.json", "generation_config.json"}) {
            assertTrue(Files.isRegularFile(folder.resolve(f)), f);
        }
        try (SafetensorsFile weights = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
            assertTrue(weights.tensors().values().stream().allMatch(e -> e.dtype() == DType.BF16));
        }
        try (LoadedModel m = ModelLoader.load(folder)) {
            assertTrue(m.model().decoder().numLayers() >= 8);
            assertTrue(((org.lvlmworkbench.core.arch.llava.LlavaModel) m.model()).vision().layers().size() >= 4);
        }
    }

    /** The unit suite scores a fixed, stratified subset: the first 10 items of every question type. */
    @Test
    void reachesNinetyFivePercentOnAFixedSubset() {
        EvalSet all = EvalSet.read(ShapesEvalSet.defaultFile());
        Map<String, List<EvalItem>> byType = new TreeMap<>();
        for (EvalItem item : all.items()) {
            List<EvalItem> list = byType.computeIfAbsent(item.type(), t -> new ArrayList<>());
            if (list.size() < 10) {
                list.add(item);
            }
        }
        List<EvalItem> subset = byType.values().stream().flatMap(List::stream).toList();
        assertEquals(60, subset.size(), "six question types, ten items each");
        try (LoadedModel m = ModelLoader.load(SampleModel.defaultModel())) {
            EvalReport report = Evaluator.evaluate(m, new EvalSet(all.file(), subset), 8, Hooks.NONE, null, null);
            assertTrue(report.overall().accuracy() >= 0.95, report.table());
            assertEquals(6, report.byType().size(), "every question type is evaluated: " + report.byType().keySet());
        }
    }

    /** The whole held-out split; tagged slow, run by {@code mvn verify} (and so by .ci/run). */
    @Test
    @Tag("slow")
    void reachesNinetyFivePercentOnTheHeldOutSplit() {
        EvalSet set = EvalSet.read(ShapesEvalSet.defaultFile());
        assertTrue(set.items().size() >= 500, "held-out split size " + set.items().size());
        try (LoadedModel m = ModelLoader.load(SampleModel.defaultModel())) {
            EvalReport report = Evaluator.evaluate(m, set, 8, Hooks.NONE, null, null);
            System.out.print(report.table());
            assertTrue(report.overall().accuracy() >= 0.95, report.table());
            Map<String, EvalReport.Score> byType = report.byType();
            assertEquals(6, byType.size(), "every question type is evaluated: " + byType.keySet());
        }
    }

    @Test
    @Tag("slow")
    void evalCommandPrintsPerTypeAndOverall() {
        String out = cli("eval");
        assertTrue(out.contains("overall"), out);
        assertTrue(out.contains("relation") && out.contains("color"), out);
    }

    @Test
    void runWithoutModelAnswersASampleImage() {
        EvalItem item = EvalSet.read(ShapesEvalSet.defaultFile()).items().get(0);
        String out = cli("run", "--image", item.image().toString(), "--prompt", item.prompt());
        String answer = out.lines().findFirst().orElse("").strip();
        assertEquals(item.answer(), answer, out);
        assertTrue(out.contains("time: load"), out);
    }

    @Test
    void inspectDescribesTheSample() {
        String out = cli("inspect");
        assertTrue(out.contains("model_type llava"), out);
        assertTrue(out.contains("decoder_layers") && out.contains("BF16"), out);
    }
}
