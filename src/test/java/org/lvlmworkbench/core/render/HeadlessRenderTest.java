package org.lvlmworkbench.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/**
 * Renders every example in a fresh JVM that sets {@code java.awt.headless=true} itself, with a
 * {@code DISPLAY} that leads nowhere, as on a server; the PNGs land in
 * {@code target/render-examples/} for people to look at. A fresh JVM because headlessness is fixed
 * the first time any test in this JVM touches AWT.
 */
class HeadlessRenderTest {

    @Test
    void everyChartRendersHeadlessIntoTargetRenderExamples() throws IOException, InterruptedException,
            URISyntaxException {
        Path out = Path.of("target", "render-examples").toAbsolutePath();
        Map<String, BufferedImage> expected = RenderExamples.all();
        for (String name : expected.keySet()) {
            Files.deleteIfExists(out.resolve(name));
        }
        String classPath = location(Heatmap.class) + File.pathSeparator + location(RenderExamples.class);
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(List.of(java.toString(), "-cp", classPath,
                RenderExamples.class.getName(), out.toString())).redirectErrorStream(true);
        pb.environment().put("DISPLAY", ":97");
        Process p = pb.start();
        boolean finished = p.waitFor(120, TimeUnit.SECONDS);
        String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!finished) {
            p.destroyForcibly();
        }
        assertTrue(finished, "the headless renderer did not finish in 120 s: " + log);
        assertEquals(0, p.exitValue(), "headless rendering failed: " + log);
        for (Map.Entry<String, BufferedImage> e : expected.entrySet()) {
            BufferedImage written = ImageIO.read(out.resolve(e.getKey()).toFile());
            assertEquals(e.getValue().getWidth(), written.getWidth(), e.getKey());
            assertEquals(e.getValue().getHeight(), written.getHeight(), e.getKey());
            assertEquals(e.getValue().getRGB(e.getValue().getWidth() / 2, e.getValue().getHeight() / 2),
                    written.getRGB(written.getWidth() / 2, written.getHeight() / 2), e.getKey() + ": same picture");
        }
    }

    private static String location(Class<?> type) throws URISyntaxException {
        return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
