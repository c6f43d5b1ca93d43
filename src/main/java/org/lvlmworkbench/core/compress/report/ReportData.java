package org.lvlmworkbench.core.compress.report;

import java.util.List;
import org.lvlmworkbench.core.analysis.similarity.CkaMatrix;
import org.lvlmworkbench.core.analysis.spectra.MatrixSpectrum;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSummary;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;

/**
 * Everything a compression report shows, as plain data gathered beforehand (the report itself runs
 * nothing): the model, the plan, the analyses that motivated it and what the plan did.
 *
 * @param modelName           the model folder's name
 * @param architecture        one line, e.g. "llava · CLIP 6×128 · Llama 16×128"
 * @param created             when the report was made (ISO-8601)
 * @param plan                the plan
 * @param originalParameters  the original model's parameters
 * @param compressedParameters the compressed model's parameters
 * @param evaluation          original against compressed on the evaluation items, or null when not run
 * @param evaluationSource    where those items came from; without an evaluation, why there is none (or null)
 * @param cka                 the original decoder's layer similarity on the calibration items, or null
 * @param ranks               one row per matrix the plan factorises
 * @param keptTokens          which image patches the pruning kept on one item, or null without pruning
 * @param points              plans to place on the Pareto chart, the original and this plan included
 */
public record ReportData(String modelName, String architecture, String created, CompressionPlan plan,
        long originalParameters, long compressedParameters, EvaluationSummary evaluation, String evaluationSource,
        CkaMatrix cka, List<RankRow> ranks, KeptTokens keptTokens, List<ParetoPoint> points) {

    public ReportData {
        ranks = List.copyOf(ranks);
        points = List.copyOf(points);
    }

    /**
     * A factorised matrix: its place, the rank kept against its full and break-even ranks, and the
     * effective rank (Roy and Vetterli) of the spectrum its method truncates, which says how many
     * directions carry its energy.
     */
    public record RankRow(String matrix, int layer, String role, int rows, int cols, int rank, String method,
            double effectiveRank, double energyKept) {

        public int fullRank() {
            return Math.min(rows, cols);
        }

        /** The largest rank whose two factors are still fewer numbers than the matrix. */
        public int breakEvenRank() {
            return (int) MatrixSpectrum.breakEvenRank(rows, cols);
        }
    }

    /**
     * The pruned model's kept image tokens on one item.
     *
     * @param image      the preprocessed image the patches tile, RGB bytes row-major
     * @param width      its width in pixels
     * @param height     its height
     * @param cells      {@code [rows][cols]}: the decoder layer from which the patch is gone, or
     *                   {@code layers} when it is kept to the end
     * @param layers     decoder layers
     * @param imageTokens image tokens of the prompt
     * @param kept       image tokens left after the last stage
     * @param policy     the pruning policy, described
     * @param prompt     the item's prompt
     * @param answer     the pruned model's answer
     */
    public record KeptTokens(byte[] image, int width, int height, double[][] cells, int layers, int imageTokens,
            int kept, String policy, String prompt, String answer) {
    }

    /**
     * One evaluated plan.
     *
     * @param label      what it is ("original", "this plan", …)
     * @param parameters its parameters
     * @param accuracy   exact-match accuracy in [0, 1]
     * @param current    whether it is the plan this report is about
     */
    public record ParetoPoint(String label, long parameters, double accuracy, boolean current) {
    }
}
