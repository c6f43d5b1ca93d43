package org.lvlmworkbench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code analyze} on the sample: JSON with settings and fingerprints, PNG charts, and the cache. */
class AnalyzeCommandTest {

    @Test
    void writesJsonAndChartsAndReadsTheCacheTheSecondTime(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        String cache = dir.resolve("cache").toString();
        String previous = System.setProperty("lvlm.cache", cache);
        try {
            CliRun first = CliRun.of("analyze", "-n", "6", "-o", out.toString());
            assertEquals(0, first.code(), first.err());
            for (String name : List.of("evolution", "cka", "tokens", "spectra")) {
                JsonObject doc = JsonParser.parseString(Files.readString(out.resolve(name + ".json"))).getAsJsonObject();
                assertEquals(name, doc.get("analysis").getAsString());
                assertEquals(16, doc.get("model_fingerprint").getAsString().length());
                assertEquals(16, doc.get("probe_fingerprint").getAsString().length());
                assertTrue(doc.getAsJsonObject("settings").size() > 0, name + " settings");
                assertTrue(doc.getAsJsonObject("result").size() > 0, name + " result");
            }
            JsonObject evolution = JsonParser.parseString(Files.readString(out.resolve("evolution.json")))
                    .getAsJsonObject().getAsJsonObject("result");
            assertEquals(6, evolution.getAsJsonArray("items").size());
            assertEquals("NORMED", evolution.getAsJsonObject("settings").get("lens").getAsString());
            List<Path> pngs;
            try (Stream<Path> s = Files.list(out)) {
                pngs = s.filter(p -> p.toString().endsWith(".png")).toList();
            }
            assertTrue(pngs.size() >= 10, "charts written: " + pngs);
            for (Path png : pngs) {
                BufferedImage image = ImageIO.read(png.toFile());
                assertTrue(image.getWidth() > 300 && image.getHeight() > 200, png + " is an image");
            }
            try (Stream<Path> s = Files.list(Path.of(cache))) {
                assertEquals(3, s.filter(p -> p.toString().endsWith(".json.gz")).count(),
                        "one cached result each (spectra are cached per matrix, beside)");
            }
            String before = Files.readString(out.resolve("cka.json"));
            CliRun second = CliRun.of("analyze", "-n", "6", "-o", out.toString());
            assertEquals(0, second.code(), second.err());
            assertEquals(before, Files.readString(out.resolve("cka.json")), "the cached result is the same result");
            CliRun bad = CliRun.of("analyze", "-n", "2", "--what", "nonsense", "-o", out.toString());
            assertEquals(1, bad.code());
            assertTrue(bad.err().contains("nonsense"), bad.err());
        } finally {
            if (previous == null) {
                System.clearProperty("lvlm.cache");
            } else {
                System.setProperty("lvlm.cache", previous);
            }
        }
    }
}
