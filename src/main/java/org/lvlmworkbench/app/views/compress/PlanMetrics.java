package org.lvlmworkbench.app.views.compress;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.lvlmworkbench.app.session.CompressionSession.ModelSizes;
import org.lvlmworkbench.core.compress.evaluate.AnswerRun;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSummary;
import org.lvlmworkbench.core.compress.evaluate.ItemResult;
import org.lvlmworkbench.core.compress.evaluate.ModelMetrics;
import org.lvlmworkbench.core.eval.EvalReport;

/**
 * The metrics table of the Plan view, original against compressed, as rows of text: filled from the
 * items finished so far while an evaluation runs (the same rules as the final summary: exact match,
 * means over items, latency medians without the first, warm-up, item), from the summary once it is
 * done. Plain Java, tested without a toolkit.
 */
public final class PlanMetrics {

    /**
     * One line of the table.
     *
     * @param sub whether it details the line above (per question type, per component)
     */
    public record Row(String metric, String original, String compressed, String change, boolean sub) {
    }

    /** One model's side, from items or from a summary. */
    record Side(EvalReport.Score overall, Map<String, EvalReport.Score> byType, double prefillFlops,
            double decodeFlopsPerToken, double flopsPerAnswer, double medianPrefillMillis,
            double medianDecodeMillisPerToken) {

        static Side of(ModelMetrics m) {
            return new Side(m.overall(), m.byType(), m.prefillFlops(), m.decodeFlopsPerToken(), m.flopsPerAnswer(),
                    m.medianPrefillMillis(), m.medianDecodeMillisPerToken());
        }

        static Side of(List<ItemResult> items, Function<ItemResult, AnswerRun> side,
                Function<ItemResult, Boolean> correct) {
            int right = 0;
            Map<String, int[]> types = new LinkedHashMap<>();
            double prefill = 0;
            double decode = 0;
            long steps = 0;
            List<Double> prefillMillis = new ArrayList<>();
            List<Double> decodeMillis = new ArrayList<>();
            int first = items.size() >= 2 ? 1 : 0;
            for (int i = 0; i < items.size(); i++) {
                ItemResult r = items.get(i);
                AnswerRun run = side.apply(r);
                boolean ok = correct.apply(r);
                right += ok ? 1 : 0;
                int[] t = types.computeIfAbsent(r.type(), k -> new int[2]);
                t[0] += ok ? 1 : 0;
                t[1]++;
                prefill += run.prefillFlops().total();
                decode += run.decodeFlops();
                steps += run.decodeSteps();
                if (i >= first) {
                    prefillMillis.add(run.prefillNanos() / 1e6);
                    if (run.decodeSteps() > 0) {
                        decodeMillis.add(run.decodeNanosPerStep() / 1e6);
                    }
                }
            }
            Map<String, EvalReport.Score> byType = new LinkedHashMap<>();
            types.forEach((k, v) -> byType.put(k, new EvalReport.Score(v[0], v[1])));
            int n = items.size();
            return new Side(new EvalReport.Score(right, n), byType, n == 0 ? Double.NaN : prefill / n,
                    steps == 0 ? Double.NaN : decode / steps, n == 0 ? Double.NaN : (prefill + decode) / n,
                    median(prefillMillis), median(decodeMillis));
        }
    }

    private PlanMetrics() {
    }

    /**
     * The table for an evaluation in progress or done.
     *
     * @param items           the items finished so far, in order
     * @param requested       items asked for
     * @param original        the original's sizes, or null before the compressed model was built
     * @param compressed      the compressed model's sizes, or null
     * @param predicted       the plan's predicted whitened loss, or null
     * @param predictedShare  the same relative to each matrix's output energy, averaged, or null
     * @param summary         the finished evaluation's summary, or null while it runs
     */
    public static List<Row> rows(List<ItemResult> items, int requested, ModelSizes original, ModelSizes compressed,
            Double predicted, Double predictedShare, EvaluationSummary summary) {
        Side ref;
        Side cand;
        double agreement;
        double meanKl;
        int done;
        int first = summary != null ? summary.firstItem() : items.isEmpty() ? 0 : items.get(0).index();
        if (summary != null) {
            ref = Side.of(summary.reference());
            cand = Side.of(summary.candidate());
            agreement = summary.agreement();
            meanKl = summary.meanKl();
            done = summary.items();
            requested = summary.requested();
        } else {
            ref = Side.of(items, ItemResult::reference, ItemResult::referenceCorrect);
            cand = Side.of(items, ItemResult::candidate, ItemResult::candidateCorrect);
            int agree = 0;
            double kl = 0;
            for (ItemResult r : items) {
                agree += r.agrees() ? 1 : 0;
                kl += r.kl();
            }
            done = items.size();
            agreement = done == 0 ? Double.NaN : (double) agree / done;
            meanKl = done == 0 ? Double.NaN : kl / done;
        }
        List<Row> rows = new ArrayList<>();
        // Past the calibration items when they came from the same file (the caption says which): held out.
        rows.add(new Row("items evaluated", "", done + " of " + requested,
                first > 0 ? "held out" : "", false));
        rows.add(new Row("accuracy", score(ref.overall()), score(cand.overall()), points(ref.overall(), cand.overall()),
                false));
        Set<String> types = new LinkedHashSet<>(ref.byType().keySet());
        types.addAll(cand.byType().keySet());
        for (String t : types) {
            EvalReport.Score a = ref.byType().getOrDefault(t, new EvalReport.Score(0, 0));
            EvalReport.Score b = cand.byType().getOrDefault(t, new EvalReport.Score(0, 0));
            rows.add(new Row(t, score(a), score(b), points(a, b), true));
        }
        rows.add(new Row("agreement", "", percent(agreement), "", false));
        rows.add(new Row("mean KL (nats)", "", number(meanKl), "", false));
        rows.add(new Row("predicted loss", "", predicted == null ? "—" : number(predicted),
                predictedShare == null ? "" : String.format(Locale.ROOT, "%.2f %%", 100 * predictedShare), false));
        long refParams = original == null ? -1 : original.parameters();
        long candParams = compressed == null ? -1 : compressed.parameters();
        rows.add(new Row("parameters", count(refParams), count(candParams), ratio(refParams, candParams), false));
        Map<String, Long> a = original == null ? Map.of() : original.byComponent();
        Map<String, Long> b = compressed == null ? Map.of() : compressed.byComponent();
        Set<String> parts = new LinkedHashSet<>(a.keySet());
        parts.addAll(b.keySet());
        for (String part : parts) {
            long x = a.getOrDefault(part, 0L);
            long y = compressed == null ? -1 : b.getOrDefault(part, 0L);
            rows.add(new Row(part, count(x), count(y), ratio(x, y), true));
        }
        rows.add(new Row("FLOPs, prefill", si(ref.prefillFlops()), si(cand.prefillFlops()),
                ratio(ref.prefillFlops(), cand.prefillFlops()), false));
        rows.add(new Row("FLOPs per decode token", si(ref.decodeFlopsPerToken()), si(cand.decodeFlopsPerToken()),
                ratio(ref.decodeFlopsPerToken(), cand.decodeFlopsPerToken()), false));
        rows.add(new Row("FLOPs per answer", si(ref.flopsPerAnswer()), si(cand.flopsPerAnswer()),
                ratio(ref.flopsPerAnswer(), cand.flopsPerAnswer()), false));
        rows.add(new Row("prefill, median", millis(ref.medianPrefillMillis()), millis(cand.medianPrefillMillis()),
                ratio(ref.medianPrefillMillis(), cand.medianPrefillMillis()), false));
        rows.add(new Row("decode / token, median", millis(ref.medianDecodeMillisPerToken()),
                millis(cand.medianDecodeMillisPerToken()),
                ratio(ref.medianDecodeMillisPerToken(), cand.medianDecodeMillisPerToken()), false));
        return rows;
    }

    /** What a metric means, for its tooltip; "" for per-type and per-component lines. */
    public static String explain(String metric) {
        return switch (metric) {
            case "items evaluated" -> "Items finished of those asked for (the first N of the evaluation file)";
            case "accuracy" -> "Exact-match accuracy of the greedy answer, as `lvlm eval` counts it";
            case "agreement" -> "Share of items where the compressed model answers exactly as the original";
            case "mean KL (nats)" -> "Mean KL(P_original ‖ P_compressed) of the first answer token's distribution, "
                    + "in nats";
            case "predicted loss" -> "Σ‖(W − W_k)·Xᵀ‖² over the plan's factorised matrices on the calibration tokens, "
                    + "from the cached factorisations; in the change column, each matrix's loss as a share of its "
                    + "output energy ‖W·Xᵀ‖², averaged";
            case "parameters" -> "Every parameter of the model, tied tensors once; below, per component";
            case "FLOPs, prefill" -> "Mean operations of the pass over the prompt and image (multiply-add = 2)";
            case "FLOPs per decode token" -> "Mean operations of one generation step after the prefill";
            case "FLOPs per answer" -> "Mean operations per answer, prefill and decode";
            case "prefill, median" -> "Measured time of the prompt pass, median over the items after the first (warm-up)";
            case "decode / token, median" -> "Measured time per generated token, median over the items after the first";
            default -> "";
        };
    }

    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    static String score(EvalReport.Score s) {
        return s.total() == 0 ? "—" : s.correct() + "/" + s.total() + " · " + percent(s.accuracy());
    }

    static String points(EvalReport.Score a, EvalReport.Score b) {
        if (a.total() == 0 || b.total() == 0) {
            return "";
        }
        return signed(String.format(Locale.ROOT, "%+.1f pt", 100 * (b.accuracy() - a.accuracy())));
    }

    /** "100 %", "66.7 %": whole numbers without decimals. */
    static String percent(double x) {
        if (Double.isNaN(x)) {
            return "—";
        }
        double p = Math.round(1000 * x) / 10.0;
        return (p == Math.rint(p) ? String.format(Locale.ROOT, "%.0f", p) : String.format(Locale.ROOT, "%.1f", p))
                + " %";
    }

    /** As the CLI's tables print it, with a dash for "not known". */
    static String number(double x) {
        return Double.isNaN(x) ? "—" : EvaluationSummary.number(x);
    }

    static String millis(double x) {
        return Double.isNaN(x) ? "—" : String.format(Locale.ROOT, "%.1f ms", x);
    }

    /** 1234567 → "1,234,567"; negative for "not known yet". */
    static String count(long n) {
        return n < 0 ? "—" : String.format(Locale.ROOT, "%,d", n);
    }

    /** The change from {@code a} to {@code b} in per cent, "" when either is unknown. */
    static String ratio(double a, double b) {
        if (Double.isNaN(a) || Double.isNaN(b) || a <= 0 || b < 0) {
            return "";
        }
        return signed(String.format(Locale.ROOT, "%+.1f %%", 100 * (b / a - 1)));
    }

    /** 1234567 → "1.23 M" (as the CLI's tables), with a dash for "not known". */
    static String si(double x) {
        return Double.isNaN(x) ? "—" : EvaluationSummary.si(x);
    }

    /** A true minus sign, and no sign on zero. */
    private static String signed(String s) {
        if (s.matches("[+-]0(\\.0+)? .*")) {
            return s.substring(1);
        }
        return s.startsWith("-") ? "−" + s.substring(1) : s;
    }
}
