package org.lvlmworkbench.core.compress.report;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.lvlmworkbench.core.jobs.Progress;

/**
 * A compression report's files: {@code report.html} (self-contained, charts inline as SVG) and each
 * chart again as {@code report/NAME.png} and {@code report/NAME.svg}, named relative to the folder
 * they go in (the export writes them into the model folder before it is moved into place).
 */
public final class CompressionReport {

    public static final String HTML_FILE = "report.html";
    public static final String CHART_FOLDER = "report";

    private CompressionReport() {
    }

    public static Map<String, byte[]> files(ReportData data, Progress progress) {
        List<ReportCharts.Figure> figures = ReportCharts.of(data);
        Map<String, byte[]> out = new LinkedHashMap<>();
        Map<String, String> svgs = new LinkedHashMap<>();
        int i = 0;
        for (ReportCharts.Figure f : figures) {
            progress.checkCancelled();
            progress.update((double) i++ / figures.size(), "drawing the report's " + f.name() + " chart");
            String svg = f.chart().svg(f.width(), f.height());
            svgs.put(f.name(), svg);
            out.put(CHART_FOLDER + "/" + f.name() + ".svg", svg.getBytes(StandardCharsets.UTF_8));
            out.put(CHART_FOLDER + "/" + f.name() + ".png", png(f));
        }
        out.put(HTML_FILE, HtmlReport.render(data, figures, svgs).getBytes(StandardCharsets.UTF_8));
        return out;
    }

    private static byte[] png(ReportCharts.Figure f) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            ImageIO.write(f.chart().render(f.width(), f.height()), "png", b);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode the " + f.name() + " chart: " + e.getMessage(), e);
        }
        return b.toByteArray();
    }
}
