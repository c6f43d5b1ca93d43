package org.lvlmworkbench.app.views.ask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.app.session.Job;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/** The Ask view's state on the shipped sample and its evaluation questions, without a UI toolkit. */
class AskViewModelTest {

    private static ModelSession session;

    @BeforeAll
    static void open() throws Exception {
        session = new ModelSession(Runnable::run);
        Job<LoadedModel> job = session.openModel(SampleModel.defaultModel());
        assertTrue(job.await(Duration.ofSeconds(60)));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());
    }

    @AfterAll
    static void close() {
        session.close();
    }

    private static AskViewModel withExamples() {
        AskViewModel vm = new AskViewModel(session);
        vm.loadExamples(ShapesEvalSet.defaultFile());
        return vm;
    }

    @Test
    void theFirstExampleIsSelectedWithItsImageCutIntoPatches() {
        AskViewModel vm = withExamples();
        assertEquals(600, vm.examples.size());
        EvalItem first = vm.examples.get(0);
        assertEquals(first.prompt(), vm.prompt.get());
        assertEquals(first.answer(), vm.expected.get());
        assertEquals(first.image(), vm.imagePath.get());
        assertEquals(48, vm.image.get().width());
        assertEquals(6, vm.patchGrid.get().rows(), "48-pixel images in 8-pixel patches");
        assertEquals(6, vm.patchGrid.get().cols());
        assertEquals("0000.png  ·  48×48  ·  the model sees 48×48 in 6×6 patches of 8 px", vm.imageCaption.get());
        assertEquals("patch (0, 0) · image token 1 of 36", vm.patchLabel(0, 0));
        assertEquals("patch (5, 5) · image token 36 of 36", vm.patchLabel(5, 5));
        assertFalse(vm.askDisabled.get());
        vm.prompt.set(" ");
        assertTrue(vm.askDisabled.get(), "no question, no Ask");
    }

    @Test
    void anAnswerStreamsTokenByTokenAndIsJudged() throws Exception {
        AskViewModel vm = withExamples();
        EvalItem first = vm.examples.get(0);
        Job<GenerationResult> job = vm.ask();
        assertTrue(job.await(Duration.ofSeconds(60)));
        assertEquals(Job.State.SUCCEEDED, job.state(), session.statusProperty().get());

        assertEquals(first.answer(), vm.answer.get(), "the sample answers this held-out question correctly");
        assertEquals("Correct", session.statusProperty().get());
        assertTrue(vm.timing.get().contains("prompt tokens · prefill"), vm.timing.get());
        List<AskViewModel.TokenStep> steps = List.copyOf(vm.steps);
        assertEquals(job.result().newIds().length, steps.size());
        for (int i = 0; i < steps.size(); i++) {
            assertEquals(i + 1, steps.get(i).index());
            assertTrue(steps.get(i).millis() > 0);
        }
        assertEquals(vm.answer.get(), steps.get(steps.size() - 1).answerSoFar());
    }

    @Test
    void aTypedQuestionIsAnsweredWithoutAVerdict() throws Exception {
        AskViewModel vm = withExamples();
        vm.prompt.set("describe the image.");
        Job<GenerationResult> job = vm.ask();
        assertTrue(job.await(Duration.ofSeconds(60)));
        assertEquals("", vm.expected.get(), "no example has this question");
        assertFalse(vm.answer.get().isBlank());
        assertEquals("Answered", session.statusProperty().get());
        assertTrue(vm.steps.size() > 1, "a caption takes several tokens: " + vm.answer.get());
    }

    @Test
    void badFilesBecomeTheStatusLineAndChangeNothing(@TempDir Path dir) throws Exception {
        AskViewModel vm = withExamples();
        RgbImage before = vm.image.get();
        Path notAnImage = Files.writeString(dir.resolve("notes.png"), "not a PNG");
        vm.setImage(notAnImage);
        assertSame(before, vm.image.get());
        assertTrue(session.statusProperty().get().contains("notes.png"), session.statusProperty().get());

        vm.loadExamples(dir.resolve("missing.jsonl"));
        assertEquals("No example questions at " + dir.resolve("missing.jsonl"), session.statusProperty().get());
        assertEquals(600, vm.examples.size());
    }
}
