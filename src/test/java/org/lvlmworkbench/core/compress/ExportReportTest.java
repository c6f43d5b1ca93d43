package org.lvlmworkbench.core.compress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.compress.export.ExportOptions;
import org.lvlmworkbench.core.compress.export.ModelExporter;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.compress.report.CompressionReport;
import org.lvlmworkbench.core.compress.report.ReportData;
import org.lvlmworkbench.core.eval.EvalSet;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
import org.lvlmworkbench.testing.TinyModels;

/** An export of the sample with its report: measured, drawn, written with the model or not at all. */
class ExportReportTest {

    private static final Path EVAL = Path.of("samples/shapes-eval/eval.jsonl");
    private static LoadedModel model;
    private static Compressor compressor;

    @BeforeAll
    static void load() {
        model = TinyModels.load(Path.of("samples/llava-shapes"));
        compressor = new Compressor(model, ProbeSet.fromEvalFile(EVAL, 3).items(), EVAL.toString());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static CompressionPlan plan() {
        CompressionPlan p = compressor.emptyPlan().withMerge(new MergeGroup(5, 6, MergeFormula.RDSC))
                .withTokenPruning(VisualTokenPruning.fastV(2, 0.5));
        Map<String, MatrixRank> ranks = new TreeMap<>();
        for (String name : compressor.shape().matrices().keySet()) {
            if (name.contains("layers.1.") && name.contains("language_model")) {
                ranks.put(name, new MatrixRank(24, LowRankMethod.SVD_LLM.jsonName()));
            }
        }
        return p.withRanks(ranks);
    }

    @Test
    void theReportIsWrittenWithTheModelAndStatesWhatWasMeasured(@TempDir Path dir) throws Exception {
        CompressionPlan plan = plan();
        Path out = dir.resolve("export");
        ModelExporter.Result r = compressor.export(plan, out, ExportOptions.DEFAULTS, ReportRequest.evaluating(
                EvalSet.read(EVAL), 6), Progress.NONE);
        assertTrue(r.files().contains(CompressionReport.HTML_FILE), "report.html is listed with the export's files");
        String html = Files.readString(out.resolve(CompressionReport.HTML_FILE));
        for (String chart : List.of("cka", "ranks", "ranks-over-spectra", "kept-tokens", "pareto")) {
            assertTrue(html.contains("<figure id=\"" + chart + "\">"), chart + " is in the page");
            assertNotNull(ImageIO.read(out.resolve("report/" + chart + ".png").toFile()), chart + ".png decodes");
            assertTrue(Files.readString(out.resolve("report/" + chart + ".svg")).contains("<svg"), chart + ".svg");
        }
        assertTrue(html.contains("Before and after") && html.contains("6 of 6 items"), "the evaluation is reported");
        assertTrue(html.contains("layers 5–6 (rdsc)"), "the merge is listed");
        assertTrue(html.contains("fastv before layer 2"), "the pruning policy is described");
        assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().contains(".export-")),
                "no temporary folder is left beside the export");
    }

    @Test
    void theReportsDataMatchesThePlanAndTheModels() {
        CompressionPlan plan = plan();
        ReportData d = CompressionReports.data(compressor, plan, ReportRequest.evaluating(EvalSet.read(EVAL), 4),
                Progress.NONE);
        assertEquals(plan.ranks().size(), d.ranks().size(), "one row per factorised matrix");
        for (ReportData.RankRow row : d.ranks()) {
            assertEquals(24, row.rank());
            assertTrue(row.effectiveRank() > 1 && row.effectiveRank() <= row.fullRank(),
                    row.matrix() + ": effective rank " + row.effectiveRank() + " within [1, " + row.fullRank() + "]");
            assertTrue(row.energyKept() > 0 && row.energyKept() < 1, row.matrix() + ": energy kept " + row.energyKept());
        }
        assertTrue(d.compressedParameters() < d.originalParameters(), "the compressed model is smaller");
        assertEquals(d.evaluation().candidate().parameters(), d.compressedParameters(),
                "the report's parameter count is the evaluation's");
        assertEquals(model.model().decoder().numLayers() + 1, d.cka().labels().size(), "embeddings and every block");
        assertEquals(model.model().decoder().numLayers() - 1, d.keptTokens().layers(), "kept tokens on the merged model");
        assertEquals(d.keptTokens().imageTokens() / 2, d.keptTokens().kept(), "FastV R = 0.5 keeps half");
        assertEquals(List.of("original", "this plan"), d.points().stream().map(ReportData.ParetoPoint::label).toList());
    }

    @Test
    void anExistingTargetIsRefusedBeforeTheReportIsMeasured(@TempDir Path dir) throws Exception {
        Path out = Files.createDirectories(dir.resolve("taken"));
        Files.writeString(out.resolve("notes.txt"), "mine");
        long t0 = System.nanoTime();
        assertThrows(IllegalArgumentException.class, () -> compressor.export(plan(), out, ExportOptions.DEFAULTS,
                ReportRequest.evaluating(EvalSet.read(EVAL), 200), Progress.NONE));
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "refused at once, not after evaluating 200 items");
        assertEquals("mine", Files.readString(out.resolve("notes.txt")));
    }
}
