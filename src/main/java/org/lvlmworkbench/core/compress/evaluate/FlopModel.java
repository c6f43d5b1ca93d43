package org.lvlmworkbench.core.compress.evaluate;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.LinearWeight;

/**
 * What a forward pass of one model costs per token, read from its structure ({@link LanguageModel#linears()}
 * and the decoder's sizes), never from a family's configuration. How many tokens each part processed is
 * not known here: a {@link FlopCounter} observes it while the model runs and asks this model for the sum.
 *
 * <p>The parts, each a {@link Unit}:
 * <ul>
 * <li>a block ({@code vision} or {@code text} layer {@code L}): its listed linear maps cost
 *     {@code 2 · Σ parameterCount()} per row of its {@code resid_pre} (so a factored low-rank map, which counts
 *     {@code k(m+n)} parameters, costs what it runs; a bias counts 2 per output instead of 1, an over-count
 *     of one part in {@code in}); it has attention when its {@code q} and {@code k} maps are listed, costing
 *     {@code 2·2 · T_q · T_k · width} per sequence, {@code width = q.outFeatures() = heads·head_dim}. A
 *     layer whose attention was dropped lists no q/k and costs its MLP only; a dropped layer lists nothing
 *     and costs nothing. Decoder ({@code text}) blocks attend over their KV cache: {@code T_k} is every
 *     token the layer has seen in this generation, so a pruned sequence makes later decode steps cheaper
 *     too; other blocks attend within the pass ({@code T_k = T_q}). The full {@code T × T} score matrix is
 *     counted in a prefill, causal mask and all, because that is what the forward pass computes;</li>
 * <li>a linear map outside any block (the projector's two): {@code 2 · parameterCount()} per row of its
 *     input hook point;</li>
 * <li>the LM head (not in {@code linears()}): {@code 2 · hidden · vocab} per row of the logits.</li>
 * </ul>
 * Not counted: embeddings (a lookup), norms, activations, softmax, rotary positions and residual adds
 * (each {@code O(T · width)}, well under 1% of a pass), and the vision tower's patch embedding (a
 * convolution not listed among the linear maps; {@code 2 · 3p² · width} per patch, about 0.2% of
 * CLIP ViT-L/14's tower).
 */
public final class FlopModel {

    /**
     * One counted part.
     *
     * @param component      the linear maps' component: {@code vision}, {@code projector} or {@code text}
     * @param layer          the block index, or -1 for a map outside any block
     * @param rowPoint       the hook point whose shape {@code [..., T, width]} gives this part's rows
     * @param parameters     the parameters of its linear maps, biases included
     * @param attentionWidth {@code heads · head_dim} of its attention, or 0 when it has none
     * @param cached         whether its attention reads a KV cache that grows over a generation
     */
    public record Unit(String component, int layer, String rowPoint, long parameters, long attentionWidth,
            boolean cached) {
    }

    private final List<Unit> units;
    private final long lmHeadParameters;
    private final Map<String, Integer> slots;
    private final int[] unitSlots;
    private final boolean[] cachedSlots;

    private FlopModel(List<Unit> units, long lmHeadParameters) {
        this.units = List.copyOf(units);
        this.lmHeadParameters = lmHeadParameters;
        Map<String, Integer> s = new HashMap<>();
        unitSlots = new int[units.size()];
        for (int i = 0; i < units.size(); i++) {
            unitSlots[i] = s.computeIfAbsent(units.get(i).rowPoint(), k -> s.size());
        }
        this.slots = Collections.unmodifiableMap(s);
        cachedSlots = new boolean[s.size()];
        for (int i = 0; i < units.size(); i++) {
            cachedSlots[unitSlots[i]] |= units.get(i).cached();
        }
    }

    /** The structure of {@code model} as it is now; reads shapes and counts only, no weight. */
    public static FlopModel of(LanguageModel model) {
        // In forward order: one group per block, one per map outside any block.
        Map<String, List<LinearWeight>> groups = new LinkedHashMap<>();
        for (LinearWeight w : model.linears()) {
            String key = w.layer() < 0 ? "map " + w.name() : w.component() + " " + w.layer();
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(w);
        }
        List<Unit> units = new ArrayList<>();
        for (List<LinearWeight> group : groups.values()) {
            LinearWeight first = group.get(0);
            long parameters = 0;
            LinearWeight q = null;
            boolean k = false;
            for (LinearWeight w : group) {
                parameters += w.map().parameterCount();
                if (w.role().equals("q")) {
                    q = w;
                } else if (w.role().equals("k")) {
                    k = true;
                }
            }
            if (first.layer() < 0) {
                units.add(new Unit(first.component(), -1, first.inputHook(), parameters, 0, false));
            } else {
                long width = q != null && k ? q.map().outFeatures() : 0;
                units.add(new Unit(first.component(), first.layer(), residPre(first), parameters, width,
                        first.component().equals("text")));
            }
        }
        long head = (long) model.decoder().hiddenSize() * model.decoder().vocabSize();
        return new FlopModel(units, head);
    }

    /** {@code <tower>.blocks.<L>.resid_pre} of the block whose map this is, from its input hook's name. */
    private static String residPre(LinearWeight w) {
        String hook = w.inputHook();
        int i = hook == null ? -1 : hook.indexOf(".blocks.");
        if (i >= 0 && HookPoints.layerOf(hook) == w.layer()) {
            return HookPoints.Block.of(hook.substring(0, i), w.layer()).residPre();
        }
        return HookPoints.Block.of(w.component(), w.layer()).residPre();
    }

    public List<Unit> units() {
        return units;
    }

    /** Parameters of the LM head, {@code hidden · vocab}: each logit row costs twice this. */
    public long lmHeadParameters() {
        return lmHeadParameters;
    }

    /** Whether a counter must see {@code point}: a part's row point or the logits. */
    public boolean observes(String point) {
        return slots.containsKey(point) || HookPoints.LOGITS.equals(point);
    }

    int slots() {
        return slots.size();
    }

    /** The slot of a row point, or -1. */
    int slot(String point) {
        Integer s = slots.get(point);
        return s == null ? -1 : s;
    }

    boolean cachedSlot(int slot) {
        return cachedSlots[slot];
    }

    /**
     * One pass: per slot the sequences ({@code batch}), the new tokens per sequence ({@code tokens}) and
     * the keys each query attends to ({@code keys}); {@code logitRows} rows of logits in all.
     */
    FlopCount count(long[] batch, long[] tokens, long[] keys, long logitRows) {
        long linear = 0;
        long attention = 0;
        Map<String, Long> parts = new LinkedHashMap<>();
        for (int i = 0; i < units.size(); i++) {
            Unit u = units.get(i);
            int s = unitSlots[i];
            if (tokens[s] == 0) {
                continue;
            }
            long l = 2 * u.parameters() * batch[s] * tokens[s];
            long a = u.attentionWidth() == 0 ? 0 : 4 * batch[s] * tokens[s] * keys[s] * u.attentionWidth();
            linear += l;
            attention += a;
            parts.merge(u.component(), l + a, Long::sum);
        }
        long head = 2 * lmHeadParameters * logitRows;
        if (head > 0) {
            parts.merge("lm_head", head, Long::sum);
        }
        return new FlopCount(linear, attention, head, parts);
    }
}
