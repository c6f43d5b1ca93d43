package org.lvlmworkbench.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.generate.PromptEncoder;
import org.lvlmworkbench.core.model.LoadedModel;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.sample.ShapesWorld;

/**
 * A batch of (image, question, answer) rendered exactly as inference renders them, followed by the
 * answer and end-of-sequence. Sequences are right-padded: under a causal mask the padding after a
 * sequence cannot change anything before it, so no padding mask is needed. Loss is taken only
 * where the model must produce the answer and the end.
 */
final class AnswerBatch {

    final long[][] ids;
    final int length;
    /** Flat indices (row * length + position) whose next token is supervised, and those tokens. */
    final long[] targetRows;
    final long[] targetTokens;
    /** For accuracy: the flat index that predicts each example's answer, and the answer token. */
    final long[] answerRows;
    final long[] answerTokens;
    final List<RgbImage> images;

    AnswerBatch(LoadedModel model, List<ShapesWorld.Example> examples, long padId, long eosId) {
        int n = examples.size();
        ids = new long[n][];
        images = new ArrayList<>();
        int max = 0;
        long[][] prompts = new long[n][];
        long[] answers = new long[n];
        for (int i = 0; i < n; i++) {
            ShapesWorld.Example e = examples.get(i);
            prompts[i] = PromptEncoder.encode(model, e.question(), 1);
            answers[i] = model.tokenizer().singleTokenId(e.answer());
            max = Math.max(max, prompts[i].length + 2);
            images.add(e.image());
        }
        length = max;
        targetRows = new long[2 * n];
        targetTokens = new long[2 * n];
        answerRows = new long[n];
        answerTokens = new long[n];
        for (int i = 0; i < n; i++) {
            long[] row = new long[length];
            java.util.Arrays.fill(row, padId);
            System.arraycopy(prompts[i], 0, row, 0, prompts[i].length);
            int p = prompts[i].length;
            row[p] = answers[i];
            row[p + 1] = eosId;
            ids[i] = row;
            long answerRow = (long) i * length + p - 1;
            targetRows[2 * i] = answerRow;
            targetTokens[2 * i] = answers[i];
            targetRows[2 * i + 1] = answerRow + 1;
            targetTokens[2 * i + 1] = eosId;
            answerRows[i] = answerRow;
            answerTokens[i] = answers[i];
        }
    }

    NDArray tokenIds(NDManager manager) {
        long[] flat = new long[ids.length * length];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(ids[i], 0, flat, i * length, length);
        }
        return manager.create(flat, new Shape(ids.length, length));
    }
}
