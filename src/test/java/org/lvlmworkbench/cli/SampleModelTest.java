package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
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

    @Test
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
        assertTrue(out.contains("type       llava"), out);
        assertTrue(out.contains("decoder_layers") && out.contains("BF16"), out);
    }
}
