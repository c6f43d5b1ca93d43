package org.lvlmworkbench.core.compress.lowrank;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.spectra.CalibrationGrams;
import org.lvlmworkbench.core.hooks.ActivationCache;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * The factorisations on real activations: one decoder layer of the shipped sample, its Grams from
 * {@link CalibrationGrams} over three items of the shapes eval set (about 140 tokens: the 96-wide inputs
 * get a positive definite Gram, down_proj's 256-wide one a singular Gram), its inputs captured with a hook
 * for mean |x| and for measuring the loss directly. Predicted equals measured for every method and,
 * at equal parameters, svd-llm ≤ asvd ≤ plain on every matrix of the layer.
 */
class RealActivationsTest {

    private static final int LAYER = 3;
    private static final int ITEMS = 3;

    @Test
    void onOneDecoderLayerOfTheSampleTheDataAwareMethodsLoseLess() {
        try (LoadedModel model = ModelLoader.load(Path.of("samples/llava-shapes"))) {
            List<ProbeItem> items = ProbeSet.fromEvalFile(Path.of("samples/shapes-eval/eval.jsonl"), ITEMS).items();
            List<LinearWeight> layer = model.model().linears().stream()
                    .filter(w -> w.component().equals("text") && w.layer() == LAYER).toList();
            assertEquals(7, layer.size(), "q k v o gate up down");
            List<String> hooks = layer.stream().map(LinearWeight::inputHook).distinct().toList();

            // The inputs themselves, item by item, in the order CalibrationGrams sums them.
            Map<String, List<float[]>> captured = new LinkedHashMap<>();
            for (ProbeItem item : items) {
                try (NDManager m = model.model().manager().newSubManager(); ActivationCache cache = new ActivationCache(m)) {
                    long[] ids = model.processor().encode(item.prompt(), 1);
                    NDArray pixels = model.processor().pixelValues(List.of(RgbImage.read(item.image())), m);
                    model.model().forward(m.create(ids, new Shape(1, ids.length)), pixels,
                            new Hooks().capture(hooks::contains, cache), null).close();
                    for (String h : hooks) {
                        captured.computeIfAbsent(h, k -> new ArrayList<>()).add(cache.get(h).toFloatArray());
                    }
                }
            }
            CalibrationGrams grams = new CalibrationGrams(model, items);
            StringBuilder report = new StringBuilder();
            for (LinearWeight lw : layer) {
                int m = (int) lw.rows();
                int n = (int) lw.cols();
                float[] w = lw.map().weightRows();
                double[] x = rows(captured.get(lw.inputHook()), n);
                int tokens = x.length / n;
                CalibrationGrams.Gram gram = grams.gram(lw.inputHook(), Progress.NONE);
                assertEquals(tokens, gram.tokens(), lw.name());
                CalibrationStats fromHook = CalibrationStats.of(x, tokens, n);
                double scale = 0;
                for (double v : fromHook.gram()) {
                    scale = Math.max(scale, Math.abs(v));
                }
                for (int i = 0; i < n * n; i++) {
                    assertEquals(fromHook.gram()[i], gram.values()[i], 1e-9 * scale, lw.name() + ": Gram = XᵀX");
                }
                CalibrationStats stats = new CalibrationStats(n, gram.tokens(), gram.values(), fromHook.meanAbs());
                Map<LowRankMethod, Factorization> f = new LinkedHashMap<>();
                for (LowRankMethod method : LowRankMethod.closedForm()) {
                    f.put(method, LowRankFactorizer.factorize(method, w, m, n, stats, LowRankOptions.DEFAULTS));
                }
                // Both whitening routes on real data: 144 tokens make the 96-wide Grams definite, not down_proj's.
                assertEquals(n < tokens ? "cholesky" : "eigen", f.get(LowRankMethod.SVD_LLM).route(), lw.name());
                for (double ratio : new double[] {0.2, 0.4, 0.6}) {
                    int k = (int) Math.floor((1 - ratio) * m * n / (m + n));
                    String at = lw.name() + " (" + m + "×" + n + ", " + tokens + " tokens, " + f.get(LowRankMethod.SVD_LLM)
                            .route() + ") at rank " + k;
                    for (Factorization each : f.values()) {
                        double measured = LowRankFactorizerTest.measuredLoss(w, each.truncate(k).dense(), m, n, x, tokens);
                        assertEquals(measured, each.predictedLoss(k), 1e-6 * measured + 1e-11 * each.predictedLoss(0),
                                at + ", " + each.method());
                    }
                    double plain = f.get(LowRankMethod.PLAIN).predictedLoss(k);
                    double asvd = f.get(LowRankMethod.ASVD).predictedLoss(k);
                    double llm = f.get(LowRankMethod.SVD_LLM).predictedLoss(k);
                    assertTrue(llm <= asvd * (1 + 1e-9), at + ": svd-llm " + llm + " > asvd " + asvd);
                    assertTrue(asvd <= plain, at + ": asvd " + asvd + " > plain " + plain);
                    assertEquals(llm, f.get(LowRankMethod.SVD_LLM_V2).predictedLoss(k), 1e-6 * llm, at + ": V2 = SVD-LLM");
                    report.append(String.format("%s (%s, %d tokens) r=%.1f: plain %.3g asvd %.3g svd-llm %.3g dipsvd %.3g%n", lw.role(),
                            f.get(LowRankMethod.SVD_LLM).route(), tokens, ratio,
                            plain / f.get(LowRankMethod.PLAIN).predictedLoss(0), asvd / f.get(LowRankMethod.PLAIN)
                                    .predictedLoss(0), llm / f.get(LowRankMethod.PLAIN).predictedLoss(0),
                            f.get(LowRankMethod.DIPSVD).predictedLoss(k) / f.get(LowRankMethod.PLAIN).predictedLoss(0)));
                }
            }
            System.out.print("relative calibration loss, text layer " + LAYER + ":\n" + report);
        }
    }

    private static double[] rows(List<float[]> parts, int n) {
        int total = 0;
        for (float[] p : parts) {
            total += p.length;
        }
        double[] x = new double[total];
        int at = 0;
        for (float[] p : parts) {
            for (float v : p) {
                x[at++] = v;
            }
        }
        assertEquals(0, total % n);
        return x;
    }
}
