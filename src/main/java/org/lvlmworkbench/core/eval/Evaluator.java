package org.lvlmworkbench.core.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
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
            RgbImage image = item.image() == null ? null : RgbImage.read(item.image());
            GenerationResult r = Generator.answer(model, item.prompt(), image, greedy, hooks, null);
            EvalReport.Prediction p = new EvalReport.Prediction(item, r.text(), matches(r.text(), item.answer()));
            out.add(p);
            if (progress != null) {
                progress.accept(p);
            }
        }
        return new EvalReport(out);
    }

    /** The exact-match rule: both answers equal after {@link #normalize}. */
    public static boolean matches(String output, String expected) {
        return normalize(output).equals(normalize(expected));
    }

    /** The answer as compared: trimmed, lower case, trailing punctuation dropped. */
    public static String normalize(String s) {
        String t = s.strip().toLowerCase(Locale.ROOT);
        while (!t.isEmpty() && ".!?,".indexOf(t.charAt(t.length() - 1)) >= 0) {
            t = t.substring(0, t.length() - 1).strip();
        }
        return t;
    }
}
