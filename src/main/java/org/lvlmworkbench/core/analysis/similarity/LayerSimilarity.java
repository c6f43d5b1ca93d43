package org.lvlmworkbench.core.analysis.similarity;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.lvlmworkbench.core.analysis.probe.EncodedProbe;
import org.lvlmworkbench.core.analysis.probe.ProbeEncoder;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.InputLimits;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.ForwardInputs;

/**
 * Layer similarity over a probe set: one prompt pass per item reads the residual stream after the
 * embeddings and after every block (decoder and vision tower); a few positions per item (seeded)
 * feed linear and RBF CKA accumulators (unbiased HSIC, summed over minibatches) for all, image and
 * text tokens, and ShortGPT's Block Influence per decoder block. Memory: one item's drawn rows and
 * one minibatch's Gram matrices.
 */
public final class LayerSimilarity {

    private LayerSimilarity() {
    }

    public static SimilarityResult run(LoadedModel model, ProbeSet probes, SimilaritySettings settings,
            Progress progress) {
        return run(model, probes, settings, progress, null);
    }

    /**
     * As {@link #run(LoadedModel, ProbeSet, SimilaritySettings, Progress)}, handing {@code onPartial} the
     * estimate so far after every item that completed a minibatch (the full minibatches summed; rows
     * waiting for the next minibatch are not in it), so a view fills in while the probe set runs.
     */
    public static SimilarityResult run(LoadedModel model, ProbeSet probes, SimilaritySettings settings,
            Progress progress, java.util.function.Consumer<SimilarityResult> onPartial) {
        int textEntries = model.model().decoder().numLayers() + 1;
        int visionEntries = (int) model.model().hookPoints().stream()
                .filter(p -> p.startsWith("vision.blocks.") && p.endsWith(".resid_post")).count() + 1;
        boolean vision = visionEntries > 1 && model.acceptsImages();
        Map<TokenSelection, Stream> text = new EnumMap<>(TokenSelection.class);
        for (TokenSelection s : TokenSelection.values()) {
            text.put(s, new Stream(textEntries, settings));
        }
        Stream visionStream = vision ? new Stream(visionEntries, settings) : null;
        double[] lastCos = new double[textEntries - 1];
        int lastCount = 0;
        Random draw = new Random(settings.seed());
        int n = probes.size();
        int batches = 0;
        for (int i = 0; i < n; i++) {
            progress.update((double) i / n, "layer similarity: item " + (i + 1) + " of " + n);
            progress.checkCancelled();
            ProbeItem item = probes.items().get(i);
            Captured c = capture(model, item, settings, textEntries, visionEntries, vision, draw);
            for (TokenSelection s : TokenSelection.values()) {
                text.get(s).add(c.text, c.selected.get(s), progress);
            }
            if (visionStream != null && c.vision != null) {
                visionStream.add(c.vision, c.visionRows, progress);
            }
            for (int b = 0; b < textEntries - 1; b++) {
                lastCos[b] += cosine(c.last[b], c.last[b + 1]);
            }
            lastCount++;
            int before = batches;
            batches = text.get(TokenSelection.ALL).linear.minibatches();
            if (onPartial != null && batches > before) {
                onPartial.accept(result(model, probes, settings, text, visionStream, lastCos, lastCount,
                        textEntries, visionEntries));
            }
        }
        for (TokenSelection s : TokenSelection.values()) {
            text.get(s).flush(progress);
        }
        if (visionStream != null) {
            visionStream.flush(progress);
        }
        progress.update(1, "layer similarity: " + n + " items");
        return result(model, probes, settings, text, visionStream, lastCos, lastCount, textEntries, visionEntries);
    }

    /** The matrices and influence of what the accumulators hold now. */
    private static SimilarityResult result(LoadedModel model, ProbeSet probes, SimilaritySettings settings,
            Map<TokenSelection, Stream> text, Stream visionStream, double[] lastCos, int lastCount, int textEntries,
            int visionEntries) {
        List<CkaMatrix> matrices = new ArrayList<>();
        List<LayerInfluence> influence = new ArrayList<>();
        for (TokenSelection s : TokenSelection.values()) {
            Stream st = text.get(s);
            if (st.linear.minibatches() == 0) {
                continue; // e.g. no image tokens in a text-only probe set
            }
            matrices.add(new CkaMatrix("text", s, CkaKernel.LINEAR, labels(textEntries), st.linear.cka(),
                    st.linear.minibatches(), st.linear.examples()));
            matrices.add(new CkaMatrix("text", s, CkaKernel.RBF, labels(textEntries), st.rbf.cka(),
                    st.rbf.minibatches(), st.rbf.examples()));
            double[] last = lastCos.clone();
            for (int b = 0; b < last.length; b++) {
                last[b] /= Math.max(1, lastCount);
            }
            influence.add(new LayerInfluence(s, st.influence.influence(), last, st.influence.tokens(0)));
        }
        if (visionStream != null) {
            if (visionStream.linear.minibatches() > 0) {
                matrices.add(new CkaMatrix("vision", TokenSelection.IMAGE, CkaKernel.LINEAR, labels(visionEntries),
                        visionStream.linear.cka(), visionStream.linear.minibatches(), visionStream.linear.examples()));
                matrices.add(new CkaMatrix("vision", TokenSelection.IMAGE, CkaKernel.RBF, labels(visionEntries),
                        visionStream.rbf.cka(), visionStream.rbf.minibatches(), visionStream.rbf.examples()));
            }
        }
        return new SimilarityResult(settings, model.folder().toString(), probes.name(), probes.fingerprint(), matrices,
                influence);
    }

    static List<String> labels(int entries) {
        List<String> out = new ArrayList<>();
        for (int e = 0; e < entries; e++) {
            out.add(e == 0 ? "embeddings" : "block " + (e - 1));
        }
        return out;
    }

    /** One item's drawn rows: {@code text[entry][row][hidden]}, row indices per selection, and the last position per entry. */
    private record Captured(float[][][] text, Map<TokenSelection, int[]> selected, float[][][] vision,
            int[] visionRows, float[][] last) {
    }

    private static Captured capture(LoadedModel model, ProbeItem item, SimilaritySettings settings, int textEntries,
            int visionEntries, boolean vision, Random draw) {
        try (NDManager scope = model.model().manager().newSubManager()) {
            EncodedProbe probe = ProbeEncoder.encode(model, item, scope);
            TokenTable table = probe.table();
            Map<TokenSelection, int[]> chosen = new EnumMap<>(TokenSelection.class);
            for (TokenSelection s : TokenSelection.values()) {
                chosen.put(s, drawPositions(table.positions(s::accepts), settings.tokensPerItem(), draw));
            }
            int last = table.lastPromptPosition();
            int[] union = union(chosen, last);
            Map<TokenSelection, int[]> rows = new EnumMap<>(TokenSelection.class);
            for (TokenSelection s : TokenSelection.values()) {
                rows.put(s, Arrays.stream(chosen.get(s)).map(p -> Arrays.binarySearch(union, p)).toArray());
            }
            float[][][] text = new float[textEntries][][];
            float[][][] visual = vision && probe.pixelValues() != null ? new float[visionEntries][][] : null;
            int[][] visionRows = new int[1][];
            Hooks hooks = new Hooks().replace(point -> point.equals(HookPoints.TEXT_EMBED)
                    || point.startsWith("text.blocks.") && point.endsWith(".resid_post"), (point, x) -> {
                        int e = point.equals(HookPoints.TEXT_EMBED) ? 0 : HookPoints.layerOf(point) + 1;
                        text[e] = rows(x, 0, union);
                        return x;
                    });
            if (visual != null) {
                hooks.replace(point -> point.equals(HookPoints.VISION_EMBED)
                        || point.startsWith("vision.blocks.") && point.endsWith(".resid_post"), (point, x) -> {
                            int e = point.equals(HookPoints.VISION_EMBED) ? 0 : HookPoints.layerOf(point) + 1;
                            if (visionRows[0] == null) {
                                int tokens = (int) x.getShape().get(1);
                                visionRows[0] = drawPositions(java.util.stream.IntStream.range(0, tokens).toArray(),
                                        settings.tokensPerItem(), draw);
                            }
                            // [images, tokens, width]: the first image's drawn tokens.
                            visual[e] = rows(x, 0, visionRows[0]);
                            return x;
                        });
            }
            InputLimits.check(model, probe.promptIds().length, 0, probe.pixelValues() == null ? 0 : 1, hooks);
            NDArray ids = scope.create(probe.promptIds(), new Shape(1, probe.promptIds().length));
            model.model().forward(ForwardInputs.of(ids, probe.pixelValues()).lastLogitsOnly(), hooks, null).close();
            float[][] lastRows = new float[textEntries][];
            int lastRow = Arrays.binarySearch(union, last);
            for (int e = 0; e < textEntries; e++) {
                lastRows[e] = text[e][lastRow];
            }
            int[] vr = visionRows[0] == null ? null : java.util.stream.IntStream.range(0, visionRows[0].length).toArray();
            return new Captured(text, rows, visual, vr, lastRows);
        }
    }

    /** Rows {@code positions} of batch row {@code b} of {@code x} ({@code [B, T, width]}). */
    private static float[][] rows(NDArray x, int b, int[] positions) {
        long t = x.getShape().get(1);
        int width = (int) x.getShape().get(2);
        float[] all = x.get(b).toFloatArray();
        float[][] out = new float[positions.length][];
        for (int i = 0; i < positions.length; i++) {
            if (positions[i] >= t) {
                throw new IllegalStateException("position " + positions[i] + " beyond " + t);
            }
            out[i] = Arrays.copyOfRange(all, positions[i] * width, (positions[i] + 1) * width);
        }
        return out;
    }

    /** Up to {@code k} of {@code candidates}, drawn without replacement, ascending. */
    static int[] drawPositions(int[] candidates, int k, Random draw) {
        if (candidates.length <= k) {
            return candidates.clone();
        }
        int[] c = candidates.clone();
        for (int i = 0; i < k; i++) {
            int j = i + draw.nextInt(c.length - i);
            int tmp = c[i];
            c[i] = c[j];
            c[j] = tmp;
        }
        int[] out = Arrays.copyOf(c, k);
        Arrays.sort(out);
        return out;
    }

    private static int[] union(Map<TokenSelection, int[]> chosen, int last) {
        java.util.TreeSet<Integer> all = new java.util.TreeSet<>();
        chosen.values().forEach(a -> Arrays.stream(a).forEach(all::add));
        all.add(last);
        return all.stream().mapToInt(Integer::intValue).toArray();
    }

    static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
    }

    /** One tower and selection: pending rows, the two CKA accumulators and the Block Influence. */
    private static final class Stream {
        final int entries;
        final int minibatch;
        final CkaAccumulator linear;
        final CkaAccumulator rbf;
        final BlockInfluence influence;
        final List<List<float[]>> pending = new ArrayList<>();

        Stream(int entries, SimilaritySettings s) {
            this.entries = entries;
            this.minibatch = s.minibatch();
            this.linear = new CkaAccumulator(entries, CkaKernel.LINEAR);
            this.rbf = new CkaAccumulator(entries, CkaKernel.RBF, s.bandwidthFraction());
            this.influence = new BlockInfluence(entries - 1);
            for (int e = 0; e < entries; e++) {
                pending.add(new ArrayList<>());
            }
        }

        /** Adds the rows {@code rows} of {@code captured[entry]} and runs every full minibatch. */
        void add(float[][][] captured, int[] rows, Progress progress) {
            if (rows.length == 0) {
                return;
            }
            float[][][] picked = new float[entries][rows.length][];
            for (int e = 0; e < entries; e++) {
                for (int r = 0; r < rows.length; r++) {
                    picked[e][r] = captured[e][rows[r]];
                }
                pending.get(e).addAll(Arrays.asList(picked[e]));
            }
            for (int b = 0; b < entries - 1; b++) {
                influence.add(b, picked[b], picked[b + 1]);
            }
            while (pending.get(0).size() >= minibatch) {
                run(minibatch, progress);
            }
        }

        /** Runs what is left as a last, smaller minibatch when it can be one (more than 3 tokens). */
        void flush(Progress progress) {
            int left = pending.get(0).size();
            if (left > 3) {
                run(left, progress);
            }
        }

        private void run(int count, Progress progress) {
            float[][][] batch = new float[entries][][];
            for (int e = 0; e < entries; e++) {
                List<float[]> rows = pending.get(e);
                batch[e] = rows.subList(0, count).toArray(new float[0][]);
                rows.subList(0, count).clear();
            }
            linear.addMinibatch(batch, progress);
            rbf.addMinibatch(batch, progress);
        }
    }
}
