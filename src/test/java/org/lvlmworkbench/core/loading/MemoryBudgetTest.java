package org.lvlmworkbench.core.loading;

import org.lvlmworkbench.testing.TinyModels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import org.junit.jupiter.api.Test;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;

class MemoryBudgetTest {

    @Test
    void mappedF32NeedsNoCopyButBf16IsWidened() {
        try (Checkpoint f32 = Checkpoint.open(TinyModels.legacyF32());
                Checkpoint bf16 = Checkpoint.open(TinyModels.folder(LlavaKeyLayout.LEGACY, DType.BF16, 1))) {
            assertEquals(0, MemoryBudget.bytesNeeded(f32, Device.cpu()));
            long elements = bf16.names().stream().mapToLong(n -> bf16.entry(n).elementCount()).sum();
            assertEquals(elements * 4, MemoryBudget.bytesNeeded(bf16, Device.cpu()));
        }
    }

    @Test
    void aModelThatCannotFitIsRefusedBeforeLoading() {
        try (Checkpoint bf16 = Checkpoint.open(TinyModels.folder(LlavaKeyLayout.LEGACY, DType.BF16, 1))) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> MemoryBudget.check(bf16, Device.cpu(), 1024));
            assertTrue(e.getMessage().contains(bf16.folder().toString()) && e.getMessage().contains("GiB"),
                    e.getMessage());
            MemoryBudget.check(bf16, Device.cpu(), 1L << 34);
            assertTrue(MemoryBudget.availableBytes() > 0);
        }
    }
}
