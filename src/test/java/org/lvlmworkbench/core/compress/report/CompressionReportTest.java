package org.lvlmworkbench.core.compress.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.similarity.CkaKernel;
import org.lvlmworkbench.core.analysis.similarity.CkaMatrix;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
import org.w3c.dom.Document;

/** The report from plain data: every chart as PNG and well-formed SVG, one self-contained page. */
class CompressionReportTest {

    private static ReportData data(boolean withPruning) {
        int layers = 6;
        List<String> labels = new ArrayList<>();
        labels.add("embeddings");
        double[][] cka = new double[layers + 1][layers + 1];
        for (int i = 0; i <= layers; i++) {
            if (i > 0) {
                labels.add("block " + (i - 1));
            }
            for (int j = 0; j <= layers; j++) {
                cka[i][j] = Math.exp(-Math.abs(i - j) / 3.0);
            }
        }
        TreeMap<String, MatrixRank> ranks = new TreeMap<>();
        List<ReportData.RankRow> rows = new ArrayList<>();
        for (int l = 0; l < 2; l++) {
            for (String role : List.of("q_proj", "down_proj")) {
                String name = "language_model.model.layers." + l + "." + (role.equals("q_proj") ? "self_attn." : "mlp.")
                        + role + ".weight";
                ranks.put(name, new MatrixRank(10 + l, "svd-llm"));
                rows.add(new ReportData.RankRow(name, l, role, 96, role.equals("q_proj") ? 96 : 256, 10 + l, "svd-llm",
                        30.5 - l, 0.9));
            }
        }
        VisualTokenPruning pruning = withPruning ? VisualTokenPruning.fastV(2, 0.5) : VisualTokenPruning.NONE;
        CompressionPlan plan = new CompressionPlan("fp", null, ranks, List.of(new MergeGroup(3, 5, MergeFormula.RDSC)),
                new TreeSet<>(List.of(2)), new TreeSet<>(), new TreeSet<>(), pruning, null);
        ReportData.KeptTokens kept = null;
        if (withPruning) {
            byte[] rgb = new byte[48 * 48 * 3];
            double[][] cells = new double[6][6];
            for (int r = 0; r < 6; r++) {
                for (int c = 0; c < 6; c++) {
                    cells[r][c] = (r + c) % 2 == 0 ? 2 : 8;
                }
            }
            kept = new ReportData.KeptTokens(rgb, 48, 48, cells, 8, 36, 18, "FastV K=2 R=0.5", "what color is the circle?",
                    "red");
        }
        return new ReportData("llava-test", "llava · test", "2026-12-06T00:00:00Z", plan, 1_000_000, 700_000, null,
                null, new CkaMatrix("text", TokenSelection.ALL, CkaKernel.LINEAR, labels, cka, 1, 100), rows, kept,
                List.of(new ReportData.ParetoPoint("original", 1_000_000, 0.99, false),
                        new ReportData.ParetoPoint("uniform 30 %", 750_000, 0.9, false),
                        new ReportData.ParetoPoint("this plan", 700_000, 0.95, true)));
    }

    @Test
    void everyChartComesAsPngAndWellFormedSvgAndThePageNeedsNothingElse() throws Exception {
        Map<String, byte[]> files = CompressionReport.files(data(true), Progress.NONE);
        for (String chart : List.of("cka", "ranks", "ranks-over-spectra", "kept-tokens", "pareto")) {
            byte[] png = files.get("report/" + chart + ".png");
            assertNotNull(png, chart + ".png is written");
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
            assertNotNull(image, chart + ".png decodes");
            assertTrue(image.getWidth() >= 800, chart + " is drawn large enough to project");
            String svg = new String(files.get("report/" + chart + ".svg"), StandardCharsets.UTF_8);
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setNamespaceAware(true);
            Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
            assertEquals("svg", doc.getDocumentElement().getLocalName(), chart + ".svg is an SVG document");
            assertEquals("0 0 " + image.getWidth() + " " + image.getHeight(),
                    doc.getDocumentElement().getAttribute("viewBox"), chart + ": the SVG has the PNG's size");
            assertTrue(doc.getElementsByTagNameNS("*", "text").getLength() > 0, chart + ".svg keeps its text as text");
        }
        String html = new String(files.get(CompressionReport.HTML_FILE), StandardCharsets.UTF_8);
        assertEquals(5, html.split("<svg", -1).length - 1, "each chart is inline in the page");
        assertFalse(html.contains("<?xml"), "no XML prologue inside the page");
        assertFalse(html.matches("(?s).*(src|href)=\"(https?:)?//.*"), "nothing is fetched from elsewhere");
        assertFalse(html.contains("<script"), "no scripts");
        assertTrue(html.contains("layers 3–5 (rdsc)"), "the plan lists its merge");
        assertTrue(html.contains("dropped blocks"), "and its drops");
        assertTrue(html.contains("30.0 % fewer"), "the size saving is stated: " + html.substring(0, 2000));
        assertTrue(html.contains("not evaluated"), "an export without evaluation says so rather than show numbers");
        assertTrue(html.contains("merged 3–5"), "the merged run is labelled on the similarity map's SVG");
    }

    @Test
    void aPlanWithoutPruningOrRanksLeavesThoseChartsOut() {
        ReportData d = data(false);
        ReportData bare = new ReportData(d.modelName(), d.architecture(), d.created(), d.plan(), d.originalParameters(),
                d.compressedParameters(), null, null, d.cka(), List.of(), null, List.of());
        List<String> names = ReportCharts.of(bare).stream().map(ReportCharts.Figure::name).toList();
        assertEquals(List.of("cka"), names);
    }
}
