package org.lvlmworkbench.core.compress;

import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.analysis.Analyses;
import org.lvlmworkbench.core.analysis.ResultCache;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.similarity.CkaKernel;
import org.lvlmworkbench.core.analysis.similarity.CkaMatrix;
import org.lvlmworkbench.core.analysis.similarity.SimilaritySettings;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.analysis.spectra.MatrixSpectrum;
import org.lvlmworkbench.core.analysis.tokens.KeptPatches;
import org.lvlmworkbench.core.analysis.tokens.PrunedRun;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSettings;
import org.lvlmworkbench.core.compress.evaluate.EvaluationSummary;
import org.lvlmworkbench.core.compress.evaluate.PlanEvaluator;
import org.lvlmworkbench.core.compress.evaluate.ReferenceCache;
import org.lvlmworkbench.core.compress.lowrank.Factorization;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.compress.report.CompressionReport;
import org.lvlmworkbench.core.compress.report.ReportData;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.model.PatchGrid;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/** Gathers a report's data from a {@link Compressor} workspace: runs what the report shows, then draws it. */
final class CompressionReports {

    /** Answers in the evaluation, as the app's live evaluation. */
    static final int MAX_NEW_TOKENS = 8;

    private CompressionReports() {
    }

    static Map<String, byte[]> files(Compressor c, CompressionPlan plan, ReportRequest request, Progress progress) {
        return CompressionReport.files(data(c, plan, request, progress), progress);
    }

    static ReportData data(Compressor c, CompressionPlan plan, ReportRequest request, Progress progress) {
        LoadedModel original = c.original();
        long originalParameters = ModelLoader.parameterCount(original.model());
        EvaluationSummary evaluation = request.evaluation();
        String source = evaluation != null ? "the app's evaluation" : null;
        long compressedParameters;
        ReportData.KeptTokens kept = null;
        progress.update(Double.NaN, "report: building the compressed model");
        try (LoadedModel compressed = c.apply(plan, progress)) {
            compressedParameters = ModelLoader.parameterCount(compressed.model());
            if (evaluation == null && request.evalSet() != null && request.evaluationItems() > 0) {
                int size = request.evalSet().items().size();
                EvaluationSettings settings = new EvaluationSettings(Math.min(request.evaluationItems(), size),
                        MAX_NEW_TOKENS, true, plan.ranks().isEmpty() ? null : c.predictedLoss(plan))
                        .heldOutFrom(c.calibration(), request.evalSet().file());
                if (settings.startsPast(size)) {
                    // Scoring the plan on the items it was fitted to would flatter it: the report says why it has no score.
                    source = "all " + size + " items of " + request.evalSet().file().getFileName()
                            + " are calibration items; evaluate on another file or with fewer calibration items";
                } else {
                    progress.update(Double.NaN, "report: evaluating original and compressed on " + settings.items()
                            + " items");
                    evaluation = new PlanEvaluator(original, request.evalSet(), new ReferenceCache())
                            .evaluate(compressed, settings, r -> { }, progress).summary();
                    source = request.evalSet().file().toString();
                }
            }
            if (!plan.tokenPruning().isNone() && !c.calibrationItems().isEmpty()) {
                kept = keptTokens(compressed, plan, c, progress);
            }
        }
        CkaMatrix cka = null;
        if (request.similarity() && !c.calibrationItems().isEmpty()) {
            progress.update(Double.NaN, "report: layer similarity of the original on the calibration items");
            cka = Analyses.similarity(original, new ProbeSet(c.calibration().source(), c.calibrationItems()),
                    SimilaritySettings.defaults(), ResultCache.standard(), progress)
                    .matrix("text", TokenSelection.ALL, CkaKernel.LINEAR);
        }
        List<ReportData.ParetoPoint> points = new ArrayList<>();
        if (evaluation != null && evaluation.items() > 0) {
            points.add(new ReportData.ParetoPoint("original", originalParameters,
                    evaluation.reference().overall().accuracy(), false));
            points.addAll(request.otherPoints());
            points.add(new ReportData.ParetoPoint("this plan", compressedParameters,
                    evaluation.candidate().overall().accuracy(), true));
        }
        ModelCard card = original.card();
        return new ReportData(original.folder().getFileName().toString(), card.modelType() + " · " + card.architecture(),
                ZonedDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm z", java.util.Locale.ROOT)), plan, originalParameters,
                compressedParameters, evaluation, source, cka, rankRows(c, plan, progress), kept, points);
    }

    private static List<ReportData.RankRow> rankRows(Compressor c, CompressionPlan plan, Progress progress) {
        List<ReportData.RankRow> rows = new ArrayList<>();
        for (Map.Entry<String, MatrixRank> e : plan.ranks().entrySet()) {
            ModelShape.Matrix m = c.shape().matrices().get(e.getKey());
            int k = e.getValue().rank();
            double effective = Double.NaN;
            double energy = Double.NaN;
            // Merged layers are factorised on their merged weight; their spectrum is the group's.
            if (plan.mergeOf(m.layer()) == null) {
                Factorization f = c.factorization(plan, e.getKey(), progress);
                double[] s = f.singularValues();
                effective = MatrixSpectrum.effectiveRankRoyVetterli(s);
                energy = MatrixSpectrum.energyRetained(s, k);
            }
            rows.add(new ReportData.RankRow(e.getKey(), m.layer(), m.role(), m.rows(), m.cols(), k,
                    e.getValue().method(), effective, energy));
        }
        return rows;
    }

    private static ReportData.KeptTokens keptTokens(LoadedModel compressed, CompressionPlan plan, Compressor c,
            Progress progress) {
        int layers = compressed.model().decoder().numLayers();
        VisualTokenPruning policy = plan.tokenPruningAfterReindexing(layers);
        var item = c.calibrationItems().get(0);
        progress.update(Double.NaN, "report: which image tokens the pruning keeps");
        PrunedRun run = PrunedRun.of(compressed, item, policy, progress);
        if (run.table().grids().isEmpty()) {
            return null;
        }
        PatchGrid grid = run.table().grids().get(0);
        KeptPatches k = KeptPatches.of(run.table(), grid, run.stageLayers(), run.kept(), layers);
        return new ReportData.KeptTokens(grid.processed().rgb(), grid.processed().width(), grid.processed().height(),
                k.cells(), layers, k.imageTokens(), k.kept(), policy.describe(), item.prompt(), run.answer());
    }
}
