package org.lvlmworkbench.core.analysis.spectra;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.testing.TinyModels;

/** The on-disk cache: little-endian doubles per key, whole files only, weights told apart by their headers. */
class SpectraCacheTest {

    @TempDir
    Path folder;

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.toList();
        }
    }

    @Test
    void storesLittleEndianDoublesUnderEachKey() throws IOException {
        SpectraCache cache = new SpectraCache(folder);
        double[] values = {3.5, 1e-300, Math.PI};
        cache.write("weights", "m.weight", "plain", values);
        assertArrayEquals(values, cache.read("weights", "m.weight", "plain").orElseThrow(), 0);
        assertTrue(cache.read("weights", "m.weight", "whitened/x").isEmpty());
        assertTrue(cache.read("other", "m.weight", "plain").isEmpty());
        assertTrue(cache.read("weights", "n.weight", "plain").isEmpty());

        List<Path> written = files();
        assertEquals(1, written.size(), "no .partial file is left behind: " + written);
        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(written.get(0))).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24, bytes.capacity());
        assertEquals(Math.PI, bytes.getDouble(16));
    }

    @Test
    void aFileThatIsNotWholeIsAMiss() throws IOException {
        SpectraCache cache = new SpectraCache(folder);
        cache.write("w", "m", "plain", new double[] {1, 2});
        Path file = files().get(0);
        Files.write(file, new byte[] {1, 2, 3});
        assertTrue(cache.read("w", "m", "plain").isEmpty());
    }

    @Test
    void theWeightsFingerprintFollowsTheSafetensorsHeaders() throws IOException {
        String f32 = SpectraCache.weightsFingerprint(TinyModels.legacyF32());
        assertEquals(f32, SpectraCache.weightsFingerprint(TinyModels.copyOfLegacyF32(folder.resolve("copy"))),
                "a copy elsewhere is the same weights");
        assertNotEquals(f32, SpectraCache.weightsFingerprint(TinyModels.folder(LlavaKeyLayout.LEGACY, DType.BF16, 1)));
        assertNotEquals(f32, SpectraCache.weightsFingerprint(TinyModels.folder(LlavaKeyLayout.LEGACY, DType.F32, 2)),
                "the same tensors in two shards");
    }
}
