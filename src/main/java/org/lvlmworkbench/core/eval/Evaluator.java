package org.lvlmworkbench.core.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.generate.PromptEncoder;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.LoadedModel;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * Answers every item with the same greedy generation {@code run} uses and scores exact matches
 * (case, surrounding space and final punctuation ignored).
 */
public final class Evaluator {

    private Evaluator() {
    }

    public static EvalReport evaluate(LoadedModel model, EvalSet set, int maxNewTokens, Hooks hooks,
            Consumer<EvalReport.Prediction> progress, BooleanSupplier cancelled) {
        List<EvalReport.Prediction> out = new ArrayList<>();
        GenerationSettings greedy = GenerationSettings.greedy(maxNewTokens);
        for (EvalItem item : set.items()) {
            if (cancelled != null && cancelled.getAsBoolean()) {
                throw new java.util.concurrent.CancellationException("evaluation cancelled after " + out.size()
                        + " of " + set.items().size() + " items");
            }
            int images = item.image() == null ? 0 : 1;
            long[] ids = PromptEncoder.encode(model, item.prompt(), images);
            GenerationResult r;
            try (NDManager scope = model.model().manager().newSubManager()) {
                NDArray pixels = images == 0 ? null
                        : model.imageProcessor().toPixelValues(List.of(RgbImage.read(item.image())), scope);
                r = Generator.generate(model, ids, pixels, greedy, hooks, null);
            }
            EvalReport.Prediction p = new EvalReport.Prediction(item, r.text(),
                    normalize(r.text()).equals(normalize(item.answer())));
            out.add(p);
            if (progress != null) {
                progress.accept(p);
            }
        }
        return new EvalReport(out);
    }

    static String normalize(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        while (!t.isEmpty() && ".!?,".indexOf(t.charAt(t.length() - 1)) >= 0) {
            t = t.substring(0, t.length() - 1).strip();
        }
        return t;
    }
}
