package org.lvlmworkbench.core.render;

import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One example of each chart, with data shaped like the analyses': layer × layer CKA with a NaN
 * pair, a diverging token × layer map with annotations, a 32 × 600 map with long labels, a log-scale
 * line chart with markers and a reference line, a PCA scatter and an attention overlay on a
 * 48 × 48 shapes image. {@link HeadlessRenderTest} runs {@link #main} in a fresh JVM.
 */
final class RenderExamples {

    private RenderExamples() {
    }

    /** Sets {@code java.awt.headless} before anything touches AWT, then writes every example into {@code args[0]}. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        if (!GraphicsEnvironment.isHeadless()) {
            System.err.println("java.awt.headless=true was not honoured");
            System.exit(2);
        }
        Path dir = Path.of(args[0]);
        for (Map.Entry<String, java.awt.image.BufferedImage> e : all().entrySet()) {
            Png.write(e.getValue(), dir.resolve(e.getKey()));
        }
    }

    /** File name → rendered image, in a fixed order. */
    static Map<String, java.awt.image.BufferedImage> all() {
        Map<String, java.awt.image.BufferedImage> out = new LinkedHashMap<>();
        out.put("heatmap-cka.png", ckaHeatmap().render(760, 640));
        out.put("heatmap-diverging.png", divergingHeatmap().render(760, 480));
        out.put("heatmap-long-labels.png", longLabelHeatmap().render(900, 500));
        out.put("line-log.png", logLineChart().render(800, 480));
        out.put("scatter.png", scatter().render(760, 520));
        out.put("patch-overlay.png", overlay().render(640, 520));
        return out;
    }

    static Heatmap ckaHeatmap() {
        int layers = 24;
        double[][] cka = new double[layers][layers];
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < layers; j++) {
                cka[i][j] = Math.exp(-Math.abs(i - j) / 6.0) * (0.7 + 0.3 * Math.cos(i * 0.2));
            }
        }
        cka[3][5] = Double.NaN;
        cka[5][3] = Double.NaN;
        return Heatmap.builder(cka).title("Linear CKA between decoder layers").xTitle("layer").yTitle("layer")
                .colorBarLabel("CKA").range(0, 1).build();
    }

    static Heatmap divergingHeatmap() {
        double[][] shift = new double[6][8];
        Random rnd = new Random(1);
        for (double[] row : shift) {
            for (int j = 0; j < row.length; j++) {
                row[j] = rnd.nextGaussian() * 0.8;
            }
        }
        shift[2][3] = Double.NaN;
        List<String> tokens = List.of("<image>", "what", "\u2581color", "is", "the", "triangle", "?", "ASSISTANT:");
        return Heatmap.builder(shift).title("Logit-lens shift per layer and token").xTitle("token").yTitle("layer")
                .columnLabels(tokens).colorBarLabel("\u0394 log-probability (nats)").colorMap(ColorMap.BLUE_WHITE_RED)
                .annotate(true).build();
    }

    static Heatmap longLabelHeatmap() {
        int layers = 32;
        int positions = 600;
        double[][] js = new double[layers][positions];
        List<String> names = new ArrayList<>();
        for (int j = 0; j < positions; j++) {
            names.add("tok_" + j);
        }
        for (int i = 0; i < layers; i++) {
            for (int j = 0; j < positions; j++) {
                js[i][j] = Math.abs(Math.sin(i * 0.3 + j * 0.05)) * 0.7;
            }
        }
        return Heatmap.builder(js).title("JS divergence to the final layer").xTitle("position").yTitle("layer")
                .columnLabels(names).colorBarLabel("JS divergence (bits)").build();
    }

    static LineChart logLineChart() {
        int layers = 24;
        double[] x = new double[layers];
        double[] a = new double[layers];
        double[] b = new double[layers];
        double[] c = new double[layers];
        for (int i = 0; i < layers; i++) {
            x[i] = i;
            a[i] = 2.0 * Math.exp(-i / 5.0) + 0.01;
            b[i] = 1.5 * Math.exp(-i / 8.0) + 0.02;
            c[i] = 0.5 / (1 + i);
        }
        b[7] = Double.NaN;
        return LineChart.builder().title("KL divergence of the logit lens to the output").xTitle("layer")
                .yTitle("KL divergence (nats)").logY(true).series("llava-shapes", x, a)
                .series("llava-1.5-7b (int8)", x, b).series("random init", x, c).marker(9, "critical layer 9")
                .marker(10, "layer 10").referenceLine(0.1, "0.1 nats: threshold").build();
    }

    static ScatterChart scatter() {
        Random rnd = new Random(2);
        int n = 400;
        double[] x = new double[n];
        double[] y = new double[n];
        List<String> kind = new ArrayList<>();
        String[] kinds = {"image patch", "question token", "answer token", "system prompt"};
        for (int i = 0; i < n; i++) {
            int k = i % kinds.length;
            x[i] = rnd.nextGaussian() + k * 2.5;
            y[i] = rnd.nextGaussian() * 0.8 + (k % 2) * 3;
            kind.add(kinds[k]);
        }
        return ScatterChart.builder().title("PCA of the layer-12 residual stream").xTitle("PC 1 (31 % of variance)")
                .yTitle("PC 2 (12 % of variance)").points(x, y, kind).build();
    }

    static PatchOverlay overlay() {
        int side = 48;
        byte[] rgb = new byte[side * side * 3];
        for (int y = 0; y < side; y++) {
            for (int x = 0; x < side; x++) {
                boolean square = x > 28 && x < 42 && y > 6 && y < 20;
                boolean triangle = y > 28 && y < 42 && Math.abs(x - 15) < (y - 28) / 2 + 1;
                int o = (y * side + x) * 3;
                rgb[o] = (byte) (square ? 220 : triangle ? 240 : 235);
                rgb[o + 1] = (byte) (square ? 40 : triangle ? 200 : 235);
                rgb[o + 2] = (byte) (square ? 40 : triangle ? 40 : 230);
            }
        }
        int patches = 6;
        double[][] attention = new double[patches][patches];
        for (int r = 0; r < patches; r++) {
            for (int c = 0; c < patches; c++) {
                attention[r][c] = 0.3 * Math.exp(-((r - 1.2) * (r - 1.2) + (c - 4.2) * (c - 4.2)) / 2);
            }
        }
        attention[5][0] = Double.NaN;
        return PatchOverlay.builder(side, side, rgb, attention).title("Attention from the answer to image patches")
                .colorBarLabel("attention weight").range(0, 0.3).gridLines(true).build();
    }
}
