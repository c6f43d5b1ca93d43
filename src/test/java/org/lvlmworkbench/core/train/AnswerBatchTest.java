package org.lvlmworkbench.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.sample.RandomLlava;
import org.lvlmworkbench.core.sample.ShapesWorld;
import org.lvlmworkbench.core.sample.WordLevelTokenizer;
import org.lvlmworkbench.core.safetensors.DType;

class AnswerBatchTest {

    @Test
    void everyTargetIsTheTokenThatFollowsItsPosition() throws Exception {
        TrainConfig config = TrainConfig.tiny(1);
        Path dir = Files.createTempDirectory("answer-batch");
        WordLevelTokenizer tok = new WordLevelTokenizer(ShapesWorld.WORDS);
        RandomLlava.writeFolder(dir, config.spec(), LlavaKeyLayout.LEGACY, DType.F32, 1, 1, tok);
        long eos = tok.id(WordLevelTokenizer.EOS);
        long pad = tok.id(WordLevelTokenizer.PAD);
        ShapesWorld world = new ShapesWorld(config.spec().imageSize(), 2);
        try (LoadedModel m = ModelLoader.load(dir, Device.cpu())) {
            ShapesWorld.Conversation a = world.conversation(ShapesWorld.Split.TRAIN, 0, 3);
            ShapesWorld.Conversation b = world.conversation(ShapesWorld.Split.TRAIN, 1, 1);
            AnswerBatch batch = new AnswerBatch(m, List.of(a.image(), b.image()), List.of(a.turns(), b.turns()), pad, eos);
            int expectedTargets = 0;
            for (ShapesWorld.Conversation c : List.of(a, b)) {
                for (ShapesWorld.QA qa : c.turns()) {
                    expectedTargets += m.tokenizer().encode(qa.answer(), false).length + 1;
                }
            }
            assertEquals(expectedTargets, batch.targetRows.length);
            for (int k = 0; k < batch.targetRows.length; k++) {
                int row = (int) (batch.targetRows[k] / batch.length);
                int pos = (int) (batch.targetRows[k] % batch.length);
                assertEquals(batch.ids[row][pos + 1], batch.targetTokens[k], "target " + k);
            }
            // The first turn is exactly the prompt inference builds, so training matches `run`.
            long[] prompt = m.processor().encode(a.turns().get(0).question(), 1);
            for (int p = 0; p < prompt.length; p++) {
                assertEquals(prompt[p], batch.ids[0][p]);
            }
            assertEquals(prompt.length - 1, batch.answerRows[0]);
            // The shorter conversation is right-padded.
            assertEquals(pad, batch.ids[1][batch.length - 1]);
            assertTrue(batch.length > prompt.length + 2);
        }
    }
}
