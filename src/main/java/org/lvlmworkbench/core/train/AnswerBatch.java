package org.lvlmworkbench.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.sample.ShapesWorld;

/**
 * A batch of conversations about images, tokenized exactly as inference renders them: the first
 * turn is the prompt {@code run} would build (BOS, image, question, generation prompt), each later
 * turn is the chat template's rendering of a text-only user turn, and every answer is followed by
 * end-of-sequence. Sequences are right-padded: under a causal mask the padding after a sequence
 * cannot change anything before it, so no padding mask is needed. Loss is taken only where the
 * model must produce an answer (one word, or several for a caption) or the end after it.
 */
final class AnswerBatch {

    final long[][] ids;
    final int length;
    /** Flat indices (row * length + position) whose next token is supervised, and those tokens. */
    final long[] targetRows;
    final long[] targetTokens;
    /** For accuracy: the flat index that predicts each conversation's first answer, and that answer. */
    final long[] answerRows;
    final long[] answerTokens;
    final List<RgbImage> images;

    AnswerBatch(LoadedModel model, List<RgbImage> images, List<List<ShapesWorld.QA>> conversations, long padId,
            long eosId) {
        int n = conversations.size();
        this.images = List.copyOf(images);
        List<List<Long>> rows = new ArrayList<>();
        List<Long> tokens = new ArrayList<>();
        answerTokens = new long[n];
        long[] firstAnswerPosition = new long[n];
        List<int[]> targetPositions = new ArrayList<>();
        int max = 0;
        for (int i = 0; i < n; i++) {
            List<Long> row = new ArrayList<>();
            List<ShapesWorld.QA> turns = conversations.get(i);
            for (int t = 0; t < turns.size(); t++) {
                ShapesWorld.QA qa = turns.get(t);
                long[] prompt = t == 0 ? model.processor().encode(qa.question(), 1)
                        : model.tokenizer().encode(model.processor().render(qa.question(), 0), false);
                for (long id : prompt) {
                    row.add(id);
                }
                long[] answer = model.tokenizer().encode(qa.answer(), false);
                if (t == 0) {
                    firstAnswerPosition[i] = row.size() - 1;
                    answerTokens[i] = answer[0];
                }
                for (long token : answer) {
                    targetPositions.add(new int[] {i, row.size() - 1});
                    tokens.add(token);
                    row.add(token);
                }
                targetPositions.add(new int[] {i, row.size() - 1});
                tokens.add(eosId);
                row.add(eosId);
            }
            rows.add(row);
            max = Math.max(max, row.size());
        }
        length = max;
        ids = new long[n][length];
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(ids[i], padId);
            for (int p = 0; p < rows.get(i).size(); p++) {
                ids[i][p] = rows.get(i).get(p);
            }
        }
        targetRows = new long[targetPositions.size()];
        targetTokens = new long[targetPositions.size()];
        for (int k = 0; k < targetRows.length; k++) {
            targetRows[k] = (long) targetPositions.get(k)[0] * length + targetPositions.get(k)[1];
            targetTokens[k] = tokens.get(k);
        }
        answerRows = new long[n];
        for (int i = 0; i < n; i++) {
            answerRows[i] = (long) i * length + firstAnswerPosition[i];
        }
    }

    /** Single-question batch, as evaluation sees it. */
    static AnswerBatch of(LoadedModel model, List<ShapesWorld.Example> examples, long padId, long eosId) {
        List<RgbImage> images = new ArrayList<>();
        List<List<ShapesWorld.QA>> conversations = new ArrayList<>();
        for (ShapesWorld.Example e : examples) {
            images.add(e.image());
            conversations.add(List.of(new ShapesWorld.QA(e.type(), e.question(), e.answer())));
        }
        return new AnswerBatch(model, images, conversations, padId, eosId);
    }

    NDArray tokenIds(NDManager manager) {
        long[] flat = new long[ids.length * length];
        for (int i = 0; i < ids.length; i++) {
            System.arraycopy(ids[i], 0, flat, i * length, length);
        }
        return manager.create(flat, new Shape(ids.length, length));
    }
}
