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
    void mappedTensorsNeedTheirFileBytesAndOnlyTheRestIsWidened() {
        try (Checkpoint f32 = Checkpoint.open(TinyModels.legacyF32());
                Checkpoint bf16 = Checkpoint.open(TinyModels.folder(LlavaKeyLayout.LEGACY, DType.BF16, 1))) {
            long f32Elements = f32.names().stream().mapToLong(n -> f32.entry(n).elementCount()).sum();
            assertEquals(f32Elements * 4, MemoryBudget.mappedBytes(f32, Device.cpu()));
            assertEquals(0, MemoryBudget.widenedBytes(f32, Device.cpu()));

            long matrices = bf16.names().stream().filter(n -> bf16.entry(n).shape().length == 2)
                    .mapToLong(n -> bf16.entry(n).elementCount()).sum();
            long others = bf16.names().stream().filter(n -> bf16.entry(n).shape().length != 2)
                    .mapToLong(n -> bf16.entry(n).elementCount()).sum();
            assertEquals(matrices * 2, MemoryBudget.mappedBytes(bf16, Device.cpu()), "16-bit matrices stay mapped");
            assertEquals(others * 4, MemoryBudget.widenedBytes(bf16, Device.cpu()), "the rest is widened");
            String previous = System.setProperty("lvlm.weights", "f32");
            try {
                assertEquals((matrices + others) * 4, MemoryBudget.bytesNeeded(bf16, Device.cpu()),
                        "the float32 reference path widens everything");
            } finally {
                if (previous == null) {
                    System.clearProperty("lvlm.weights");
                } else {
                    System.setProperty("lvlm.weights", previous);
                }
            }
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
