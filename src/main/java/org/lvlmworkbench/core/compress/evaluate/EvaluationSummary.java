package org.lvlmworkbench.core.compress.evaluate;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.lvlmworkbench.core.eval.EvalReport;
import org.lvlmworkbench.core.model.LanguageModel;

/**
 * What an evaluation of a candidate against the reference found, as plain data: {@link #toJson()} for
 * files and the app, {@link #table()} for the CLI.
 *
 * @param items                 items evaluated
 * @param requested             items asked for
 * @param cancelled             whether the run stopped early; the numbers then cover the first {@code items}
 * @param maxNewTokens          the answers' length limit
 * @param agreement             share of items where the two answers match each other (NaN over none)
 * @param meanKl                mean {@code KL(P_ref ‖ P_cand)} in nats at the first answer position
 * @param maxKl                 the largest of those
 * @param predictedWhitenedLoss the plan's own prediction, carried through unchanged, or null
 * @param referenceFromCache    items whose reference side was reused, not run
 * @param firstItem             the index (from 0) of the first item evaluated: past the calibration items
 *                              when the plan was calibrated on the same file
 */
public record EvaluationSummary(int items, int requested, boolean cancelled, int maxNewTokens, double agreement,
        double meanKl, double maxKl, Double predictedWhitenedLoss, ModelMetrics reference, ModelMetrics candidate,
        int referenceFromCache, int firstItem) {

    /** NaN stands for "no items"; JSON gets it as {@code NaN}, which Gson reads back. */
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().setPrettyPrinting()
            .create();

    static EvaluationSummary of(List<ItemResult> results, int requested, boolean cancelled,
            EvaluationSettings settings, LanguageModel reference, LanguageModel candidate) {
        int agree = 0;
        int cached = 0;
        double kl = 0;
        double maxKl = results.isEmpty() ? Double.NaN : 0;
        for (ItemResult r : results) {
            agree += r.agrees() ? 1 : 0;
            cached += r.referenceFromCache() ? 1 : 0;
            kl += r.kl();
            maxKl = Math.max(maxKl, r.kl());
        }
        int n = results.size();
        return new EvaluationSummary(n, requested, cancelled, settings.maxNewTokens(),
                n == 0 ? Double.NaN : (double) agree / n, n == 0 ? Double.NaN : kl / n, maxKl,
                settings.predictedWhitenedLoss(),
                ModelMetrics.of(reference, results, ItemResult::reference, ItemResult::referenceCorrect,
                        settings.skipWarmup()),
                ModelMetrics.of(candidate, results, ItemResult::candidate, ItemResult::candidateCorrect,
                        settings.skipWarmup()),
                cached, settings.firstItem());
    }

    public String toJson() {
        return GSON.toJson(this);
    }

    public static EvaluationSummary fromJson(String json) {
        return GSON.fromJson(json, EvaluationSummary.class);
    }

    /**
     * One metric: the reference's value, the candidate's and the change, as display text.
     *
     * @param sub whether it details the line above (a question type, a component)
     */
    public record Row(String metric, String reference, String candidate, String change, boolean sub) {
    }

    /** A plain-text table: reference, candidate and the change, one metric a line. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d of %d items%s%s, answers up to %d tokens%n", items, requested,
                firstItem > 0 ? " (" + range() + ", after the " + firstItem + " calibration items)" : "",
                cancelled ? " (cancelled)" : "", maxNewTokens));
        row(sb, "", "reference", "candidate", "change");
        for (Row r : rows()) {
            row(sb, (r.sub() ? "  " : "") + r.metric(), r.reference(), r.candidate(), r.change());
        }
        return sb.toString();
    }

    /** Which items of the file were evaluated, counted from 1: {@code items 17–56}. */
    public String range() {
        return items == 0 ? "no items" : "items " + (firstItem + 1) + "–" + (firstItem + items);
    }

    /** The metrics of {@link #table()} as rows, for tables drawn elsewhere (the app, the report). */
    public List<Row> rows() {
        List<Row> out = new java.util.ArrayList<>();
        ModelMetrics r = reference;
        ModelMetrics c = candidate;
        out.add(new Row("accuracy", score(r.overall()), score(c.overall()), points(r.overall(), c.overall()), false));
        Set<String> types = new LinkedHashSet<>(r.byType().keySet());
        types.addAll(c.byType().keySet());
        for (String t : types) {
            EvalReport.Score a = r.byType().getOrDefault(t, new EvalReport.Score(0, 0));
            EvalReport.Score b = c.byType().getOrDefault(t, new EvalReport.Score(0, 0));
            out.add(new Row(t, score(a), score(b), points(a, b), true));
        }
        out.add(new Row("agreement", "", percent(agreement), "", false));
        out.add(new Row("mean KL (nats)", "", number(meanKl), "max " + number(maxKl), false));
        if (predictedWhitenedLoss != null) {
            out.add(new Row("predicted whitened loss", "", number(predictedWhitenedLoss), "", false));
        }
        out.add(new Row("parameters", si(r.parameters()), si(c.parameters()), ratio(r.parameters(), c.parameters()),
                false));
        Set<String> components = new LinkedHashSet<>(r.parametersByComponent().keySet());
        components.addAll(c.parametersByComponent().keySet());
        for (String k : components) {
            long a = r.parametersByComponent().getOrDefault(k, 0L);
            long b = c.parametersByComponent().getOrDefault(k, 0L);
            out.add(new Row(k, si(a), si(b), ratio(a, b), true));
        }
        out.add(new Row("FLOPs prefill", si(r.prefillFlops()), si(c.prefillFlops()),
                ratio(r.prefillFlops(), c.prefillFlops()), false));
        Set<String> parts = new LinkedHashSet<>(r.prefillFlopsByComponent().keySet());
        parts.addAll(c.prefillFlopsByComponent().keySet());
        for (String k : parts) {
            double a = r.prefillFlopsByComponent().getOrDefault(k, 0.0);
            double b = c.prefillFlopsByComponent().getOrDefault(k, 0.0);
            out.add(new Row(k, si(a), si(b), ratio(a, b), true));
        }
        out.add(new Row("FLOPs / decode token", si(r.decodeFlopsPerToken()), si(c.decodeFlopsPerToken()),
                ratio(r.decodeFlopsPerToken(), c.decodeFlopsPerToken()), false));
        out.add(new Row("FLOPs / answer", si(r.flopsPerAnswer()), si(c.flopsPerAnswer()),
                ratio(r.flopsPerAnswer(), c.flopsPerAnswer()), false));
        out.add(new Row("tokens / answer", number(r.meanNewTokens()), number(c.meanNewTokens()), "", false));
        out.add(new Row("prefill ms (median)", number(r.medianPrefillMillis()), number(c.medianPrefillMillis()),
                ratio(r.medianPrefillMillis(), c.medianPrefillMillis()), false));
        out.add(new Row("decode ms/token (median)", number(r.medianDecodeMillisPerToken()),
                number(c.medianDecodeMillisPerToken()),
                ratio(r.medianDecodeMillisPerToken(), c.medianDecodeMillisPerToken()), false));
        return out;
    }

    private static void row(StringBuilder sb, String label, String a, String b, String change) {
        sb.append(String.format(Locale.ROOT, "%-26s %14s %14s %12s", label, a, b, change).stripTrailing())
                .append(System.lineSeparator());
    }

    private static String score(EvalReport.Score s) {
        return s.total() == 0 ? "-" : String.format(Locale.ROOT, "%d/%d %5.1f%%", s.correct(), s.total(),
                100 * s.accuracy());
    }

    private static String points(EvalReport.Score a, EvalReport.Score b) {
        if (a.total() == 0 || b.total() == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%+.1f pt", 100 * (b.accuracy() - a.accuracy()));
    }

    private static String percent(double x) {
        return Double.isNaN(x) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * x);
    }

    /** Four significant digits, or scientific notation below 1e-3 and from 1e6 on; "-" for NaN. */
    public static String number(double x) {
        if (Double.isNaN(x)) {
            return "-";
        }
        double a = Math.abs(x);
        return String.format(Locale.ROOT, a != 0 && (a < 1e-3 || a >= 1e6) ? "%.3e" : "%.4g", x);
    }

    private static String ratio(double reference, double candidate) {
        if (Double.isNaN(reference) || Double.isNaN(candidate) || reference == 0) {
            return "";
        }
        return String.format(Locale.ROOT, "%+.1f%%", 100 * (candidate / reference - 1));
    }

    /** 1234567 → "1.23 M". */
    public static String si(double x) {
        if (Double.isNaN(x)) {
            return "-";
        }
        String[] units = {"", " k", " M", " G", " T", " P"};
        int u = 0;
        double v = x;
        while (Math.abs(v) >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return u == 0 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g%s", v, units[u]);
    }
}
