package org.lvlmworkbench.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.sample.LlavaSpec;
import org.lvlmworkbench.core.sample.RandomPreset;

/** The bench's parts that need no model: statistics, FLOP counts, result parsing, child commands, the report. */
class BenchPiecesTest {

    @TempDir
    Path dir;

    @Test
    void medianOfOddEvenAndMissingValues() {
        assertEquals(2.0, Stats.median(List.of(3.0, 1.0, 2.0)).getAsDouble());
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 3.0, 2.0)).getAsDouble());
        assertEquals(5.0, Stats.median(Arrays.asList(5.0, Double.NaN, null)).getAsDouble(), "failed runs left out");
        assertTrue(Stats.median(List.of()).isEmpty());
        assertTrue(Stats.median(List.of(Double.NaN)).isEmpty());
    }

    @Test
    void flopsAndBytesFromTheShapesMatchThePerformanceBaseline() {
        // performance-baseline.md: TinyLlama-1.1B decoder, CLIP 336/14 with 8 layers (7 run), 587-token prompt.
        LlavaSpec baseline = new LlavaSpec(336, 14, 1024, 4096, 8, 16, 2048, 5632, 22, 32, 4, 4096, 10000.0);
        ModelCost c = new ModelCost(baseline, 32000);
        assertEquals(968_884_224L, c.decoderLinearParams(), "decoder linears 968.9 M");
        assertEquals(1137e9, 2.0 * c.decoderLinearParams() * 587, 1e9);
        // 1137 linears + 62 attention + 111 vision + 7 projector + 0.1 head = 1319 GFLOP, + 0.7 patch embedding.
        assertEquals(1319.6e9, c.prefillFlops(587, 1), 1.5e9);
        assertEquals(4.14e9, c.decodeBytesPerToken(4), 0.01e9, "4.14 GB per token in F32");
        assertEquals(c.decodeBytesPerToken(4) / 2, c.decodeBytesPerToken(2));
        assertEquals(c.prefillFlops(64, 0), 2.0 * c.decoderLinearParams() * 64 + 4.0 * 64 * 64 * 2048 * 22
                + 2.0 * 32000 * 2048, 1);
        assertEquals(23, new ModelCost(RandomPreset.TINYLLAMA_1_1B.spec(), 32000).visionLayersRun());
    }

    @Test
    void workerOutputIsParsedFromItsResultLine() {
        RunResult r = RunResult.parse("WARNING: something\n" + BenchWorker.RESULT_PREFIX + "{\"load_s\":9}\nnoise\n"
                + BenchWorker.RESULT_PREFIX + "{\"load_s\":0.5,\"prefill_s\":2.0,\"prompt_tokens\":100,"
                + "\"decode_s\":1.5,\"new_tokens\":4,\"tokens\":[7,8,9,7],\"peak_rss_bytes\":1073741824}\n");
        assertTrue(r.ok(), String.valueOf(r.error()));
        assertEquals(0.5, r.number("load_s"), "the last result line counts");
        assertEquals(50.0, r.prefillTokensPerSecond());
        assertEquals(2.0, r.decodeTokensPerSecond(), "4 tokens: 3 decode steps in 1.5 s");
        assertEquals(List.of(7L, 8L, 9L, 7L), r.tokens());
        assertTrue(Double.isNaN(r.number("missing")));

        RunResult none = RunResult.parse("Traceback: boom\n");
        assertFalse(none.ok());
        assertTrue(none.error().contains("no BENCH-RESULT line") && none.error().contains("boom"), none.error());
        assertFalse(RunResult.parse(BenchWorker.RESULT_PREFIX + "{not json").ok());
        assertTrue(Double.isNaN(none.prefillTokensPerSecond()));
    }

    @Test
    void childJvmGetsTheParentsPropertiesAndModulesButNoDebugger() {
        List<String> flags = ChildProcess.copiedJvmFlags(List.of("-Dai.djl.offline=true", "--add-modules",
                "jdk.incubator.vector", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx8g", "-Xss4m",
                "-agentlib:jdwp=transport=dt_socket", "-javaagent:/x/agent.jar", "-cp", "/elsewhere", "-XX:+UseG1GC",
                "-Dfile.encoding=UTF-8"));
        assertEquals(List.of("-Dai.djl.offline=true", "--add-modules", "jdk.incubator.vector",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx8g", "-Xss4m", "-XX:+UseG1GC",
                "-Dfile.encoding=UTF-8"), flags);
        List<String> cmd = ChildProcess.javaCommand("/jdk/bin/java", List.of("-Dx=1"), "a.jar:b.jar", "Main",
                List.of("run", "--model", "m"));
        assertEquals(List.of("/jdk/bin/java", "-Dx=1", "-cp", "a.jar:b.jar", "Main", "run", "--model", "m"), cmd);
    }

    @Test
    void missingPythonIsReportedAsSkipped() {
        PythonSide p = PythonSide.probe(dir.resolve("no-such-python").toString(), dir, 60);
        assertFalse(p.available());
        assertTrue(p.skipped().contains("no-such-python"), p.skipped());
        assertEquals("/x/py", PythonSide.choosePython("/x/py", "/env/py"));
        assertEquals("/env/py", PythonSide.choosePython(null, "/env/py"));
        assertEquals("python3", PythonSide.choosePython(" ", null));
    }

    private static RunResult result(String json) {
        return RunResult.parse(BenchWorker.RESULT_PREFIX + json);
    }

    private static RunResult run(double load, double prefill, double decode, long rss) {
        return result(String.format(java.util.Locale.ROOT, "{\"load_s\":%f,\"prefill_s\":%f,\"decode_s\":%f,"
                + "\"prompt_tokens\":587,\"images\":1,\"new_tokens\":33,\"tokens\":[1,2],\"peak_rss_bytes\":%d,"
                + "\"activation_bytes\":500000000}", load, prefill, decode, rss));
    }

    @Test
    void reportHasEveryFigureRatiosAndTargets() {
        BenchSettings s = new BenchSettings(RandomPreset.TINYLLAMA_1_1B, List.of(DType.F32, DType.BF16), 3, 0, 33,
                dir, dir.resolve("b.json"), "python3", List.of("eager"), false, 768, 42, 2, 60);
        Map<String, List<RunResult>> hfF32 = new LinkedHashMap<>();
        hfF32.put("eager", List.of(run(0.2, 10, 8, 5L << 30), run(0.3, 11, 8, 5L << 30), run(0.25, 9, 8, 5L << 30)));
        List<RunResult> javaF32 = new ArrayList<>(List.of(run(0.5, 10, 8, 12L << 30), run(0.6, 12, 8, 12L << 30),
                RunResult.failed("exit 1: out of memory")));
        BenchReport.DtypeRuns f32 = new BenchReport.DtypeRuns(DType.F32, dir, 5_640_000_000L, javaF32, hfF32);
        BenchReport.DtypeRuns bf16 = new BenchReport.DtypeRuns(DType.BF16, dir, 2_820_000_000L,
                List.of(run(1, 20, 4, 3L << 30)), Map.of());
        BenchReport.Roofline roof = new BenchReport.Roofline(
                result("{\"gemm_f32_gflops\":180,\"matvec_f32_gbps\":20}"),
                result("{\"gemm_f32_gflops\":185,\"gemm_bf16_gflops\":800,\"matvec_f32_gbps\":21.5,\"matvec_bf16_gbps\":19}"));
        PythonSide py = new PythonSide("python3", dir.resolve("s.py"), null, "python 3.11, torch 2.13, transformers 5.18");
        BenchReport report = new BenchReport(s, new ModelCost(s.shape().spec(), 32000), s.shape().parameterCount(),
                new JsonObject(), py, roof, List.of(f32, bf16), 123);

        JsonObject j = JsonParser.parseString(report.toJsonText()).getAsJsonObject();
        assertEquals(185.0, j.getAsJsonObject("roofline").get("gemm_f32_gflops").getAsDouble(), "the best of DJL and torch");
        JsonObject m0 = j.getAsJsonArray("models").get(0).getAsJsonObject();
        JsonObject javaMedian = m0.getAsJsonObject("java").getAsJsonObject("median");
        assertEquals(0.55, javaMedian.get("load_s").getAsDouble(), 1e-9, "median of the two runs that succeeded");
        double javaTps = (587.0 / 10 + 587.0 / 12) / 2;
        assertEquals(javaTps, javaMedian.get("prefill_tokens_per_s").getAsDouble(), 1e-9, "median of the runs' rates");
        assertEquals(4.0, javaMedian.get("decode_tokens_per_s").getAsDouble(), 1e-9);
        assertEquals(3, m0.getAsJsonObject("java").getAsJsonArray("runs").size());
        assertTrue(m0.getAsJsonObject("java").getAsJsonArray("runs").get(2).getAsJsonObject().has("error"));
        JsonObject ratios = m0.getAsJsonObject("ratios_this_over_transformers").getAsJsonObject("eager");
        assertEquals(0.55 / 0.25, ratios.get("load_s").getAsDouble(), 1e-9);
        assertEquals(javaTps / (587.0 / 10), ratios.get("prefill_tokens_per_s").getAsDouble(), 1e-9);
        assertEquals(2.4, ratios.get("peak_rss_bytes").getAsDouble(), 1e-9);
        assertTrue(m0.getAsJsonObject("same_tokens").get("eager").getAsBoolean());
        assertTrue(m0.get("prefill_gflop").getAsDouble() > 1000);

        JsonObject m1 = j.getAsJsonArray("models").get(1).getAsJsonObject();
        assertTrue(m1.getAsJsonObject("transformers").has("skipped"));

        JsonArray targets = j.getAsJsonArray("targets");
        assertEquals(8, targets.size());
        Map<String, String> status = new LinkedHashMap<>();
        targets.forEach(t -> status.put(t.getAsJsonObject().get("name").getAsString(),
                t.getAsJsonObject().get("status").getAsString()));
        assertEquals("FAIL", status.get("F32 prefill >= 1.0x transformers eager F32"), "0.92 of transformers' rate");
        assertEquals("FAIL", status.get("F32 peak RSS <= 1.2x transformers"));
        // 4 tok/s x 4.14 GB = 16.6 GB/s of the best mat-vec 21.5 GB/s: 77 %.
        assertEquals(16.55 / 21.5, targets.get(1).getAsJsonObject().get("value").getAsDouble(), 0.01);
        assertEquals("N/A", status.get("BF16 decode >= transformers bf16"), "no transformers run to compare with");
        assertEquals("PASS", status.get("BF16 resident <= 1.3x file + activations"), "3 GiB <= 1.3 x 2.82 GB + 0.5 GB");
        String table = j.get("table").getAsString();
        assertTrue(table.contains("tf eager") && table.contains("FAIL") && table.contains("N/A")
                && table.contains("this project run failed: exit 1: out of memory"), table);
        assertNull(j.getAsJsonObject("transformers").get("skipped").isJsonNull() ? null : "set");
    }
}
