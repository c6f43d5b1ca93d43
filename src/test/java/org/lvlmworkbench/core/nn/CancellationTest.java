package org.lvlmworkbench.core.nn;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Cancellation;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.testing.TinyModels;

/** Cancel reaches inside a forward pass: the next layer does not start. */
class CancellationTest {

    @Test
    void aPassStopsAtTheNextLayerOnceCancelled() {
        try (LoadedModel m = ModelLoader.load(TinyModels.folder(LlavaKeyLayout.LEGACY, DType.F32, 1), Device.cpu());
                NDManager scope = m.model().manager().newSubManager()) {
            AtomicBoolean cancelled = new AtomicBoolean();
            AtomicBoolean reachedBlock2 = new AtomicBoolean();
            Hooks hooks = new Hooks()
                    .replace(HookPoints.text(0).residPost(), (p, x) -> {
                        cancelled.set(true); // the user presses Cancel while block 0 runs
                        return x;
                    })
                    .replace(HookPoints.text(2).residPre(), (p, x) -> {
                        reachedBlock2.set(true);
                        return x;
                    });
            long[] ids = m.processor().encode("how many circle?", 0);
            var input = scope.create(ids, new Shape(1, ids.length));
            assertThrows(CancellationException.class, () -> Cancellation.watching(cancelled::get,
                    () -> m.model().forward(input, null, hooks, null)));
            assertFalse(reachedBlock2.get(), "no block after the cancelled one started");
            // Outside a watched job the check does nothing, and the same model runs on.
            assertNotNull(m.model().forward(input, null, Hooks.NONE, null));
            Cancellation.check();
            assertTrue(cancelled.get());
        }
    }
}
