package org.lvlmworkbench.core.eval;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Exact-match accuracy overall and per question type, with every prediction kept for inspection. */
public record EvalReport(List<Prediction> predictions) {

    public record Prediction(EvalItem item, String output, boolean correct) {
    }

    public record Score(int correct, int total) {
        public double accuracy() {
            return total == 0 ? 0 : (double) correct / total;
        }
    }

    public Score overall() {
        int c = 0;
        for (Prediction p : predictions) {
            if (p.correct()) {
                c++;
            }
        }
        return new Score(c, predictions.size());
    }

    /** Per type, in the order types first appear. */
    public Map<String, Score> byType() {
        Map<String, int[]> counts = new LinkedHashMap<>();
        for (Prediction p : predictions) {
            int[] c = counts.computeIfAbsent(p.item().type(), k -> new int[2]);
            c[1]++;
            if (p.correct()) {
                c[0]++;
            }
        }
        Map<String, Score> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k, new Score(v[0], v[1])));
        return out;
    }

    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-12s %9s %8s%n", "type", "correct", "accuracy"));
        byType().forEach((type, s) -> sb.append(String.format("%-12s %4d/%-4d %7.1f%%%n", type, s.correct(), s.total(),
                100 * s.accuracy())));
        Score o = overall();
        sb.append(String.format("%-12s %4d/%-4d %7.1f%%%n", "overall", o.correct(), o.total(), 100 * o.accuracy()));
        return sb.toString();
    }
}
