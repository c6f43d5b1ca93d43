package org.lvlmworkbench.core.compress.report;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSummary;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeGroup;

/**
 * The report as one self-contained HTML page: the charts are inline SVG (sharp at any zoom, text
 * selectable), the styles are in the page, nothing is fetched. Large type and high contrast, so it
 * reads when projected.
 */
final class HtmlReport {

    private HtmlReport() {
    }

    static String render(ReportData d, List<ReportCharts.Figure> figures, Map<String, String> svgs) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
                .append(esc(d.modelName())).append(" · compression report</title>\n<style>\n").append(STYLE)
                .append("</style>\n</head>\n<body>\n");
        h.append("<header><h1>").append(esc(d.modelName())).append(" <span class=\"thin\">compressed</span></h1>")
                .append("<p>").append(esc(d.architecture())).append(" · report made ").append(esc(d.created()))
                .append(" by LVLM Workbench</p></header>\n<main>\n");
        cards(h, d);
        plan(h, d.plan(), d.ranks().size());
        if (d.evaluation() != null) {
            metrics(h, d.evaluation(), d.evaluationSource());
        }
        for (ReportCharts.Figure f : figures) {
            h.append("<figure id=\"").append(f.name()).append("\">\n").append(inline(svgs.get(f.name())))
                    .append("\n<figcaption>").append(esc(f.caption())).append(" <a href=\"report/").append(f.name())
                    .append(".png\">PNG</a> · <a href=\"report/").append(f.name()).append(".svg\">SVG</a>")
                    .append("</figcaption>\n</figure>\n");
        }
        if (!d.ranks().isEmpty()) {
            ranks(h, d.ranks());
        }
        h.append("<section><h2>Using the exported model</h2><p>The folder beside this page is a Hugging Face ")
                .append("checkpoint; <code>compression_plan.json</code> re-creates it from the original with ")
                .append("<code>lvlm export --plan</code>. A folder with <code>modeling_lvlm_compressed.py</code> loads ")
                .append("with <code>AutoModelForImageTextToText.from_pretrained(dir, trust_remote_code=True)</code>; ")
                .append("one without it with <code>LlavaForConditionalGeneration.from_pretrained(dir)</code>.</p>")
                .append("</section>\n</main>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void cards(StringBuilder h, ReportData d) {
        h.append("<section class=\"cards\">\n");
        double saved = 1 - (double) d.compressedParameters() / d.originalParameters();
        card(h, "parameters", EvaluationSummary.si(d.originalParameters()) + " → "
                + EvaluationSummary.si(d.compressedParameters()),
                String.format(Locale.ROOT, "%.1f %% fewer", 100 * saved));
        EvaluationSummary e = d.evaluation();
        if (e != null && e.items() > 0) {
            double a = e.reference().overall().accuracy();
            double b = e.candidate().overall().accuracy();
            card(h, "accuracy", String.format(Locale.ROOT, "%.1f %% → %.1f %%", 100 * a, 100 * b),
                    String.format(Locale.ROOT, "%+.1f points on %d items", 100 * (b - a), e.items())
                            + (e.firstItem() > 0 ? " (" + e.range() + ", held out from the calibration)" : ""));
            card(h, "agreement with the original", String.format(Locale.ROOT, "%.1f %%", 100 * e.agreement()),
                    String.format(Locale.ROOT, "mean KL %.3g nats", e.meanKl()));
            double f0 = e.reference().flopsPerAnswer();
            double f1 = e.candidate().flopsPerAnswer();
            card(h, "FLOPs per answer", EvaluationSummary.si(f0) + " → " + EvaluationSummary.si(f1),
                    String.format(Locale.ROOT, "%.2f× of the original", f1 / f0));
        } else {
            card(h, "accuracy", "not evaluated", d.evaluationSource() != null ? d.evaluationSource()
                    : "export with evaluation items to measure it");
        }
        h.append("</section>\n");
    }

    private static void card(StringBuilder h, String title, String value, String note) {
        h.append("<div class=\"card\"><div class=\"label\">").append(esc(title)).append("</div><div class=\"value\">")
                .append(esc(value)).append("</div><div class=\"note\">").append(esc(note)).append("</div></div>\n");
    }

    private static void plan(StringBuilder h, CompressionPlan p, int factorised) {
        h.append("<section><h2>The plan</h2>\n<table class=\"plan\">\n");
        row(h, "model fingerprint", "<code>" + esc(p.modelFingerprint()) + "</code>");
        if (p.calibration() != null) {
            row(h, "calibration", esc(p.calibration().items() + " items of " + p.calibration().source()));
        }
        if (!p.merges().isEmpty()) {
            StringBuilder s = new StringBuilder();
            for (MergeGroup g : p.merges()) {
                s.append(s.length() == 0 ? "" : ", ").append("layers ").append(g.first()).append("–").append(g.last())
                        .append(" (").append(g.formula().name().toLowerCase(Locale.ROOT).replace('_', '-')).append(')');
            }
            row(h, "merged layers", esc(s.toString()));
        }
        if (!p.droppedLayers().isEmpty()) {
            row(h, "dropped blocks", esc(p.droppedLayers().toString()));
        }
        if (!p.droppedAttention().isEmpty()) {
            row(h, "dropped attention", esc(p.droppedAttention().toString()));
        }
        if (!p.droppedMlp().isEmpty()) {
            row(h, "dropped MLPs", esc(p.droppedMlp().toString()));
        }
        if (!p.ranks().isEmpty()) {
            Map<String, int[]> byMethod = new TreeMap<>();
            for (MatrixRank r : p.ranks().values()) {
                int[] a = byMethod.computeIfAbsent(r.method(), k -> new int[] {0, Integer.MAX_VALUE, 0});
                a[0]++;
                a[1] = Math.min(a[1], r.rank());
                a[2] = Math.max(a[2], r.rank());
            }
            StringBuilder s = new StringBuilder();
            byMethod.forEach((m, a) -> s.append(s.length() == 0 ? "" : "; ").append(a[0]).append(" matrices by ")
                    .append(m).append(", ranks ").append(a[1]).append(a[1] == a[2] ? "" : "–" + a[2]));
            row(h, "low-rank matrices", esc(s.toString()));
        }
        if (!p.tokenPruning().isNone()) {
            row(h, "visual-token pruning", esc(p.tokenPruning().describe()));
        }
        if (p.isEmpty()) {
            row(h, "changes", "none: the plan is the original model");
        }
        h.append("</table>\n</section>\n");
    }

    private static void metrics(StringBuilder h, EvaluationSummary e, String source) {
        h.append("<section><h2>Before and after</h2>\n<p class=\"muted\">").append(e.items()).append(" of ")
                .append(e.requested()).append(" items").append(source == null ? "" : " of " + esc(source))
                .append(e.cancelled() ? " (cancelled early)" : "").append(", answers up to ").append(e.maxNewTokens())
                .append(" tokens, exact match; latency medians leave out the first item.</p>\n")
                .append("<table class=\"metrics\">\n<tr><th></th><th>original</th><th>compressed</th><th>change</th></tr>\n");
        for (EvaluationSummary.Row r : e.rows()) {
            h.append("<tr").append(r.sub() ? " class=\"sub\"" : "").append("><td>").append(esc(r.metric()))
                    .append("</td><td>").append(esc(r.reference())).append("</td><td>").append(esc(r.candidate()))
                    .append("</td><td>").append(esc(r.change())).append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static void ranks(StringBuilder h, List<ReportData.RankRow> ranks) {
        h.append("<section><h2>Every factorised matrix</h2>\n<details><summary>").append(ranks.size())
                .append(" matrices</summary>\n<table class=\"ranks\">\n<tr><th>matrix</th><th>shape</th><th>method</th>")
                .append("<th>rank</th><th>full</th><th>break-even</th><th>effective rank</th><th>energy kept</th></tr>\n");
        for (ReportData.RankRow r : ranks) {
            h.append("<tr><td><code>").append(esc(r.matrix())).append("</code></td><td>").append(r.rows()).append('×')
                    .append(r.cols()).append("</td><td>").append(esc(r.method())).append("</td><td>").append(r.rank())
                    .append("</td><td>").append(r.fullRank()).append("</td><td>").append(r.breakEvenRank())
                    .append("</td><td>").append(Double.isFinite(r.effectiveRank())
                            ? String.format(Locale.ROOT, "%.1f", r.effectiveRank()) : "–")
                    .append("</td><td>").append(Double.isFinite(r.energyKept())
                            ? String.format(Locale.ROOT, "%.1f %%", 100 * r.energyKept()) : "–")
                    .append("</td></tr>\n");
        }
        h.append("</table>\n</details>\n</section>\n");
    }

    private static void row(StringBuilder h, String label, String html) {
        h.append("<tr><th>").append(esc(label)).append("</th><td>").append(html).append("</td></tr>\n");
    }

    /** The SVG document without its XML prologue, to sit inside the page. */
    static String inline(String svg) {
        String s = svg.strip();
        if (s.startsWith("<?xml")) {
            s = s.substring(s.indexOf("?>") + 2).strip();
        }
        if (s.startsWith("<!DOCTYPE")) {
            s = s.substring(s.indexOf('>') + 1).strip();
        }
        return s;
    }

    static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    private static final String STYLE = """
            :root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --card: #f4f7fb; }
            * { box-sizing: border-box; }
            body { margin: 0; font: 18px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
                   sans-serif; color: var(--ink); background: #fff; }
            header { background: #14283f; color: #fff; padding: 28px 48px; }
            header h1 { margin: 0; font-size: 34px; }
            header p { margin: 6px 0 0; color: #c9d6e6; }
            .thin { font-weight: 400; color: #9fc1e8; }
            main { max-width: 1200px; margin: 0 auto; padding: 8px 48px 48px; }
            h2 { font-size: 26px; margin: 36px 0 12px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
            .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(230px, 1fr)); gap: 16px;
                     margin-top: 28px; }
            .card { background: var(--card); border-radius: 10px; padding: 16px 18px; border: 1px solid var(--line); }
            .card .label { color: var(--muted); font-size: 15px; text-transform: uppercase; letter-spacing: .04em; }
            .card .value { font-size: 24px; font-weight: 650; margin: 4px 0; }
            .card .note { color: var(--muted); font-size: 16px; }
            table { border-collapse: collapse; width: 100%; }
            th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
            table.plan th { width: 240px; color: var(--muted); font-weight: 500; }
            table.metrics td:not(:first-child), table.metrics th:not(:first-child),
            table.ranks td:not(:first-child):not(:nth-child(3)) { text-align: right;
                     font-variant-numeric: tabular-nums; }
            table.metrics tr.sub td:first-child { padding-left: 34px; color: var(--muted); }
            table.ranks { font-size: 15px; }
            code { font: 0.9em ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
            figure { margin: 36px 0; }
            figure svg { display: block; width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
            figcaption { color: var(--muted); margin-top: 8px; }
            a { color: var(--accent); }
            .muted { color: var(--muted); }
            details summary { cursor: pointer; color: var(--accent); margin-bottom: 8px; }
            """;
}
