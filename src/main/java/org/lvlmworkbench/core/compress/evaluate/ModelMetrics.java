package org.lvlmworkbench.core.compress.evaluate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.eval.EvalReport;
import org.lvlmworkbench.core.model.LanguageModel;

/**
 * One model's side of an evaluation summary. Means and medians are NaN over no items.
 *
 * @param overall                    exact-match accuracy over all items
 * @param byType                     the same per question type, in the order types first appear
 * @param parameters                 every parameter ({@code parameterSizes()}), tied tensors once
 * @param parametersByComponent      per component as {@code components()} groups them
 * @param prefillFlops               mean operations of the prefill per answer
 * @param prefillFlopsByComponent    the same split as {@link FlopCount#byComponent()}
 * @param decodeFlopsPerToken        mean operations per decode step, over every step of every item
 * @param flopsPerAnswer             mean operations per answer, prefill and decode
 * @param meanNewTokens              mean generated tokens per answer
 * @param medianPrefillMillis        median measured prefill time
 * @param medianDecodeMillisPerToken median over items of measured decode time per step (items with a step)
 */
public record ModelMetrics(EvalReport.Score overall, Map<String, EvalReport.Score> byType, long parameters,
        Map<String, Long> parametersByComponent, double prefillFlops, Map<String, Double> prefillFlopsByComponent,
        double decodeFlopsPerToken, double flopsPerAnswer, double meanNewTokens, double medianPrefillMillis,
        double medianDecodeMillisPerToken) {

    public ModelMetrics {
        byType = Collections.unmodifiableMap(new LinkedHashMap<>(byType));
        parametersByComponent = Collections.unmodifiableMap(new LinkedHashMap<>(parametersByComponent));
        prefillFlopsByComponent = Collections.unmodifiableMap(new LinkedHashMap<>(prefillFlopsByComponent));
    }

    /**
     * @param runs       this model's run per item, in item order
     * @param correct    whether each answer matched
     * @param skipWarmup leave the first item out of the latency medians when there are two or more
     */
    static ModelMetrics of(LanguageModel model, List<ItemResult> items, Function<ItemResult, AnswerRun> side,
            Function<ItemResult, Boolean> correct, boolean skipWarmup) {
        List<EvalReport.Prediction> predictions = new ArrayList<>();
        for (ItemResult r : items) {
            predictions.add(new EvalReport.Prediction(new EvalItem(null, r.prompt(), r.expected(), r.type()),
                    side.apply(r).answer(), correct.apply(r)));
        }
        EvalReport report = new EvalReport(predictions);
        long total = 0;
        for (long n : model.parameterSizes().values()) {
            total += n;
        }
        Map<String, Long> components = new LinkedHashMap<>();
        for (LanguageModel.ComponentSize c : model.components()) {
            components.merge(c.name(), c.parameters(), Long::sum);
        }
        double prefill = 0;
        double decode = 0;
        long steps = 0;
        double tokens = 0;
        FlopCount prefillParts = FlopCount.ZERO;
        List<Double> prefillMillis = new ArrayList<>();
        List<Double> decodeMillis = new ArrayList<>();
        int first = skipWarmup && items.size() >= 2 ? 1 : 0;
        for (int i = 0; i < items.size(); i++) {
            AnswerRun run = side.apply(items.get(i));
            prefill += run.prefillFlops().total();
            prefillParts = prefillParts.plus(run.prefillFlops());
            decode += run.decodeFlops();
            steps += run.decodeSteps();
            tokens += run.newTokens();
            if (i >= first) {
                prefillMillis.add(run.prefillNanos() / 1e6);
                if (run.decodeSteps() > 0) {
                    decodeMillis.add(run.decodeNanosPerStep() / 1e6);
                }
            }
        }
        int n = items.size();
        Map<String, Double> parts = new LinkedHashMap<>();
        prefillParts.byComponent().forEach((k, v) -> parts.put(k, (double) v / n));
        return new ModelMetrics(report.overall(), report.byType(), total, components, mean(prefill, n), parts,
                steps == 0 ? Double.NaN : decode / steps, mean(prefill + decode, n), mean(tokens, n),
                median(prefillMillis), median(decodeMillis));
    }

    private static double mean(double sum, long n) {
        return n == 0 ? Double.NaN : sum / n;
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
}
