package org.lvlmworkbench.core.analysis.spectra;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.lvlmworkbench.core.analysis.probe.ProbeItem;
import org.lvlmworkbench.core.analysis.probe.ProbeSet;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.InputLimits;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.ForwardInputs;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * The calibration Grams {@code G = XᵀX} of every linear map's input over a probe set: {@code X} stacks
 * the rows {@code [.., in]} that reach the map's {@link LinearWeight#inputHook()} in a prefill of each
 * item (prompt and image; nothing is generated), one row per token (per image token for the vision
 * tower). Maps that read the same hook point (q/k/v read {@code ln1.normalized}, gate/up
 * {@code ln2.normalized}) share one Gram.
 *
 * <p>Memory: a Gram is {@code 8·in²} bytes (double precision), 1.4 GB per decoder layer of a 7B model.
 * The hook points are split, in forward order, into passes whose Grams fit the budget (one point per pass
 * when a single Gram is over it); each pass runs the whole probe set again and {@link #gram} runs the pass
 * that holds the asked-for point, dropping the previous pass's Grams, so at most one pass's Grams are held:
 * the budget in the engine (where the sums accumulate, {@code float64}) plus, while they are copied out,
 * one Gram twice. A pass stops each prefill right after its last point, so early layers cost little.
 */
public final class CalibrationGrams {

    /** 1 GiB. */
    public static final long DEFAULT_BUDGET_BYTES = 1L << 30;

    /**
     * The Gram of one hook point.
     *
     * @param hook   the hook point
     * @param width  {@code in}
     * @param tokens rows of {@code X} summed
     * @param values {@code XᵀX}, row-major {@code in × in}
     * @param absSums {@code Σ_t |x_{t,j}|} per input channel: ASVD's scaling needs the mean absolute
     *               input, which the Gram's diagonal ({@code Σ x²}) does not give
     */
    public record Gram(String hook, int width, long tokens, double[] values, double[] absSums) {

        /** {@code mean_t |x_{t,j}|} per input channel. */
        public double[] meanAbs() {
            double[] m = new double[absSums.length];
            for (int j = 0; j < m.length; j++) {
                m[j] = tokens == 0 ? 0 : absSums[j] / tokens;
            }
            return m;
        }
    }

    /** Thrown by the pass's hook once every wanted point has been read: the rest of the prefill is not needed. */
    private static final class PassComplete extends RuntimeException {
        PassComplete() {
            super(null, null, false, false);
        }
    }

    private final LoadedModel model;
    private final List<ProbeItem> items;
    private final long budgetBytes;
    private final Map<String, Integer> widths = new LinkedHashMap<>();
    private final List<List<String>> passes = new ArrayList<>();
    private Map<String, Gram> held = Map.of();
    private int passesRun;

    public CalibrationGrams(LoadedModel model, List<ProbeItem> items) {
        this(model, items, DEFAULT_BUDGET_BYTES);
    }

    /** @param budgetBytes the most bytes of Grams one pass may hold (a single larger Gram gets a pass of its own) */
    public CalibrationGrams(LoadedModel model, List<ProbeItem> items, long budgetBytes) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("calibration needs at least one probe item");
        }
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("Gram memory budget must be positive, got " + budgetBytes);
        }
        this.model = model;
        this.items = List.copyOf(items);
        this.budgetBytes = budgetBytes;
        for (LinearWeight w : model.model().linears()) {
            Integer known = widths.putIfAbsent(w.inputHook(), Math.toIntExact(w.cols()));
            if (known != null && known != w.cols()) {
                throw new IllegalStateException(w.name() + ": input width " + w.cols() + " differs from the " + known
                        + " of another map reading '" + w.inputHook() + "'");
            }
        }
        List<String> pass = new ArrayList<>();
        long passBytes = 0;
        for (Map.Entry<String, Integer> e : widths.entrySet()) {
            long bytes = gramBytes(e.getValue());
            if (!pass.isEmpty() && passBytes + bytes > budgetBytes) {
                passes.add(List.copyOf(pass));
                pass.clear();
                passBytes = 0;
            }
            pass.add(e.getKey());
            passBytes += bytes;
        }
        if (!pass.isEmpty()) {
            passes.add(List.copyOf(pass));
        }
    }

    /** Bytes of one {@code in × in} Gram in double precision. */
    public static long gramBytes(int in) {
        return 8L * in * in;
    }

    /** Bytes of every Gram of the model at once, which the passes keep under the budget. */
    public long estimatedBytes() {
        long total = 0;
        for (int w : widths.values()) {
            total += gramBytes(w);
        }
        return total;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /** The hook points each pass collects, in forward order. */
    public List<List<String>> passes() {
        return List.copyOf(passes);
    }

    /** Passes run so far (each one a prefill of every probe item). */
    public int passesRun() {
        return passesRun;
    }

    /** Identifies the probe items (see {@link ProbeSet#fingerprint()}): part of a whitened spectrum's cache key. */
    public String itemsFingerprint() {
        return new ProbeSet("calibration", items).fingerprint();
    }

    /**
     * The Gram of {@code hook}, running its pass over the probe set unless that pass is the one
     * held; {@code progress} sees each item and may cancel between items.
     */
    public Gram gram(String hook, Progress progress) {
        Gram g = held.get(hook);
        if (g != null) {
            return g;
        }
        for (int p = 0; p < passes.size(); p++) {
            if (passes.get(p).contains(hook)) {
                held = Map.of(); // the previous pass's Grams may go before this pass allocates its own
                held = collect(passes.get(p), p, progress);
                return held.get(hook);
            }
        }
        throw new IllegalArgumentException("no linear map reads hook point '" + hook + "'; calibrated points: "
                + widths.keySet());
    }

    private Map<String, Gram> collect(List<String> hooks, int passIndex, Progress progress) {
        Set<String> wanted = Set.copyOf(hooks);
        Map<String, NDArray> sums = new LinkedHashMap<>();
        Map<String, NDArray> absSums = new LinkedHashMap<>();
        Map<String, long[]> tokens = new LinkedHashMap<>();
        try (NDManager manager = model.model().manager().newSubManager()) {
            for (String h : hooks) {
                int w = widths.get(h);
                sums.put(h, manager.zeros(new Shape(w, w), DataType.FLOAT64));
                absSums.put(h, manager.zeros(new Shape(w), DataType.FLOAT64));
                tokens.put(h, new long[1]);
            }
            Set<String> seen = new HashSet<>();
            Hooks reader = new Hooks().replace(wanted::contains, (point, x) -> {
                accumulate(sums.get(point), absSums.get(point), tokens.get(point), widths.get(point), x, point);
                seen.add(point);
                if (seen.size() == wanted.size()) {
                    throw new PassComplete();
                }
                return x;
            });
            for (int i = 0; i < items.size(); i++) {
                progress.checkCancelled();
                ProbeItem item = items.get(i);
                progress.update((double) i / items.size(), String.format("calibration pass %d/%d: item %d/%d (%s)",
                        passIndex + 1, passes.size(), i + 1, items.size(), item.id()));
                seen.clear();
                prefill(item, reader, manager);
                if (seen.size() != wanted.size()) {
                    Set<String> missing = new HashSet<>(wanted);
                    missing.removeAll(seen);
                    throw new IllegalStateException("probe item " + item.id() + ": the prefill never reached "
                            + missing + " (a text-only item cannot calibrate the vision tower or the projector)");
                }
            }
            passesRun++;
            Map<String, Gram> out = new LinkedHashMap<>();
            for (String h : hooks) {
                NDArray sum = sums.get(h);
                out.put(h, new Gram(h, widths.get(h), tokens.get(h)[0], sum.toDoubleArray(),
                        absSums.get(h).toDoubleArray()));
                sum.close();
            }
            progress.update(1, String.format("calibration pass %d/%d done", passIndex + 1, passes.size()));
            return out;
        }
    }

    /**
     * Adds {@code xᵀx} of {@code x [.., width]} to {@code sum [width, width]} and {@code Σ|x|} over rows
     * to {@code absSum [width]}, in float64.
     */
    private static void accumulate(NDArray sum, NDArray absSum, long[] tokens, int width, NDArray x, String point) {
        long last = x.getShape().get(x.getShape().dimension() - 1);
        if (last != width) {
            throw new IllegalStateException("hook point '" + point + "' carries " + x.getShape() + ", expected [.., "
                    + width + "]");
        }
        // [.., width] → [tokens, width]; the products and their sum in double precision, as the Gram is kept.
        NDArray rows = x.reshape(-1, width);
        NDArray wide = rows.toType(DataType.FLOAT64, false);
        NDArray wideT = wide.transpose();
        NDArray product = wideT.matMul(wide);
        sum.addi(product);
        NDArray abs = wide.abs();
        NDArray columnSums = abs.sum(new int[] {0});
        absSum.addi(columnSums);
        tokens[0] += rows.getShape().get(0);
        // Freed now, not when the layer ends: an MLP-width product is as large as the Gram itself. The
        // engine may hand back its input for a no-op reshape or cast, and the pass still owns that.
        Set<NDArray> temporaries = Collections.newSetFromMap(new IdentityHashMap<>());
        temporaries.addAll(List.of(product, wideT, wide, rows, abs, columnSums));
        temporaries.remove(x);
        temporaries.forEach(NDArray::close);
    }

    private void prefill(ProbeItem item, Hooks reader, NDManager parent) {
        int images = item.image() == null ? 0 : 1;
        if (images > 0 && !model.acceptsImages()) {
            throw new IllegalArgumentException("probe item " + item.id() + ": " + item.image()
                    + ": this model takes no images");
        }
        long[] ids = model.processor().encode(item.prompt(), images);
        InputLimits.check(model, ids.length, 0, images, reader);
        try (NDManager m = parent.newSubManager()) {
            NDArray pixels = images == 0 ? null : model.processor().pixelValues(List.of(RgbImage.read(item.image())), m);
            NDArray tokenIds = m.create(ids, new Shape(1, ids.length));
            try {
                model.model().forward(ForwardInputs.of(tokenIds, pixels).lastLogitsOnly(), reader, null).close();
            } catch (PassComplete done) {
                // Every point of this pass has been read; the layers after it would change nothing.
            }
        }
    }
}
