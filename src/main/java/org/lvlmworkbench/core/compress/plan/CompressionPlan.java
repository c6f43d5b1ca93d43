package org.lvlmworkbench.core.compress.plan;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.model.pruning.InvalidPruningException;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/**
 * Everything a compression does to one model, as an immutable value: low-rank factorisations per
 * matrix, decoder layer merges, dropped blocks and dropped attention or MLP sub-layers, the
 * calibration set they were chosen with, and the fingerprint of the model they belong to. Every
 * change returns a new plan (undo is a stack of them, {@link PlanHistory}); applying one rebuilds a
 * model and never touches the original.
 *
 * <p>Layer indices and matrix names are the ORIGINAL model's: the plan says "merge 9..11, drop 14,
 * factor layers.3.mlp.up_proj at rank 40"; re-indexing happens when it is applied.
 *
 * <p>JSON form (version {@value #VERSION}):
 * <pre>{
 *   "format": "lvlm-workbench/compression-plan", "version": 1,
 *   "model_fingerprint": "…",
 *   "calibration": {"source": "samples/shapes-eval/eval.jsonl", "items": 32, "fingerprint": "…"},
 *   "ranks": {"language_model.model.layers.3.mlp.up_proj.weight": {"rank": 40, "method": "svd-llm"}},
 *   "merges": [{"first": 9, "last": 11, "formula": "rdsc"}],
 *   "drop_layers": [14], "drop_attention": [12], "drop_mlp": [],
 *   "token_pruning": {"version": 1, "stages": [{"layer": 2, "method": "fastv", "ratio": 0.5}]},
 *   "soco": {"ratio": 0.4, "steps": 200, …}
 * }</pre>
 * The token-pruning policy is {@code VisualTokenPruning}'s own JSON form; its layers too are the
 * original decoder's, re-indexed on apply ({@link #tokenPruningAfterReindexing}). {@code soco}, required
 * when a rank names the {@code soco} method, says what those ranks' scores were trained for
 * ({@link SocoTarget}): applying the plan elsewhere trains them again.
 */
public record CompressionPlan(String modelFingerprint, Calibration calibration, SortedMap<String, MatrixRank> ranks,
        List<MergeGroup> merges, SortedSet<Integer> droppedLayers, SortedSet<Integer> droppedAttention,
        SortedSet<Integer> droppedMlp, VisualTokenPruning tokenPruning, SocoTarget soco) {

    public static final String FORMAT = "lvlm-workbench/compression-plan";
    public static final int VERSION = 1;

    public CompressionPlan {
        if (modelFingerprint == null || modelFingerprint.isBlank()) {
            throw new PlanException("model_fingerprint", "a plan names the model it belongs to");
        }
        ranks = Collections.unmodifiableSortedMap(new TreeMap<>(ranks));
        List<MergeGroup> sorted = new ArrayList<>(merges);
        sorted.sort(Comparator.comparingInt(MergeGroup::first));
        merges = List.copyOf(sorted);
        droppedLayers = Collections.unmodifiableSortedSet(new TreeSet<>(droppedLayers));
        droppedAttention = Collections.unmodifiableSortedSet(new TreeSet<>(droppedAttention));
        droppedMlp = Collections.unmodifiableSortedSet(new TreeSet<>(droppedMlp));
        tokenPruning = tokenPruning == null ? VisualTokenPruning.NONE : tokenPruning;
    }

    /** The plan that changes nothing. */
    public static CompressionPlan empty(String modelFingerprint) {
        return new CompressionPlan(modelFingerprint, null, new TreeMap<>(), List.of(), new TreeSet<>(), new TreeSet<>(),
                new TreeSet<>(), VisualTokenPruning.NONE, null);
    }

    public boolean isEmpty() {
        return ranks.isEmpty() && merges.stream().allMatch(g -> g.first() == g.last()) && droppedLayers.isEmpty()
                && droppedAttention.isEmpty() && droppedMlp.isEmpty() && tokenPruning.isNone();
    }

    // ---- changes (each returns a new plan) ----

    /** This plan with {@code policy} as its visual-token pruning (layers given in the original decoder's indices). */
    public CompressionPlan withTokenPruning(VisualTokenPruning policy) {
        return new CompressionPlan(modelFingerprint, calibration, ranks, merges, droppedLayers, droppedAttention, droppedMlp,
                policy, soco);
    }

    /**
     * The pruning policy in the compressed decoder's layer indices: a stage before original layer
     * {@code K} runs before the first layer that survives at or after {@code K}.
     */
    public VisualTokenPruning tokenPruningAfterReindexing(int decoderLayers) {
        if (tokenPruning.isNone()) {
            return tokenPruning;
        }
        int[] surviving = survivingLayers(decoderLayers);
        List<VisualTokenPruning.Stage> stages = new ArrayList<>();
        for (int i = 0; i < tokenPruning.stages().size(); i++) {
            VisualTokenPruning.Stage stage = tokenPruning.stages().get(i);
            int next = -1;
            for (int j = 0; j < surviving.length; j++) {
                if (surviving[j] >= stage.layer()) {
                    next = j;
                    break;
                }
            }
            if (next < 0) {
                throw new PlanException("token_pruning.stages[" + i + "].layer", "no decoder layer survives at or after layer "
                        + stage.layer());
            }
            if (!stages.isEmpty() && stages.get(stages.size() - 1).layer() >= next) {
                throw new PlanException("token_pruning.stages[" + i + "].layer", "after the plan's drops and merges, stage "
                        + i + " falls on the same layer as the stage before it");
            }
            stages.add(stage.withLayer(next));
        }
        return VisualTokenPruning.of(stages);
    }

    /** This plan with {@code target} (or null) as what its SoCo ranks were trained for. */
    public CompressionPlan withSoco(SocoTarget target) {
        return new CompressionPlan(modelFingerprint, calibration, ranks, merges, droppedLayers, droppedAttention, droppedMlp,
                tokenPruning, target);
    }

    /** Whether any rank names the SoCo method. */
    public boolean hasSocoRanks() {
        return ranks.values().stream().anyMatch(r -> r.method().equals("soco"));
    }

    public CompressionPlan withCalibration(Calibration c) {
        return new CompressionPlan(modelFingerprint, c, ranks, merges, droppedLayers, droppedAttention, droppedMlp, tokenPruning, soco);
    }

    public CompressionPlan withRank(String matrix, MatrixRank rank) {
        SortedMap<String, MatrixRank> r = new TreeMap<>(ranks);
        r.put(matrix, rank);
        return new CompressionPlan(modelFingerprint, calibration, r, merges, droppedLayers, droppedAttention, droppedMlp, tokenPruning, soco);
    }

    /** This plan with every rank replaced by {@code newRanks}. */
    public CompressionPlan withRanks(Map<String, MatrixRank> newRanks) {
        return new CompressionPlan(modelFingerprint, calibration, new TreeMap<>(newRanks), merges, droppedLayers,
                droppedAttention, droppedMlp, tokenPruning, soco);
    }

    public CompressionPlan withoutRank(String matrix) {
        SortedMap<String, MatrixRank> r = new TreeMap<>(ranks);
        r.remove(matrix);
        return new CompressionPlan(modelFingerprint, calibration, r, merges, droppedLayers, droppedAttention, droppedMlp, tokenPruning, soco);
    }

    public CompressionPlan withMerge(MergeGroup group) {
        List<MergeGroup> m = new ArrayList<>(merges);
        m.add(group);
        return new CompressionPlan(modelFingerprint, calibration, ranks, m, droppedLayers, droppedAttention, droppedMlp, tokenPruning, soco);
    }

    public CompressionPlan withoutMerge(MergeGroup group) {
        List<MergeGroup> m = new ArrayList<>(merges);
        m.remove(group);
        return new CompressionPlan(modelFingerprint, calibration, ranks, m, droppedLayers, droppedAttention, droppedMlp, tokenPruning, soco);
    }

    public CompressionPlan withDroppedLayer(int layer, boolean dropped) {
        return new CompressionPlan(modelFingerprint, calibration, ranks, merges, toggled(droppedLayers, layer, dropped),
                droppedAttention, droppedMlp, tokenPruning, soco);
    }

    public CompressionPlan withDroppedAttention(int layer, boolean dropped) {
        return new CompressionPlan(modelFingerprint, calibration, ranks, merges, droppedLayers,
                toggled(droppedAttention, layer, dropped), droppedMlp, tokenPruning, soco);
    }

    public CompressionPlan withDroppedMlp(int layer, boolean dropped) {
        return new CompressionPlan(modelFingerprint, calibration, ranks, merges, droppedLayers, droppedAttention,
                toggled(droppedMlp, layer, dropped), tokenPruning, soco);
    }

    /** This plan with no depth changes (merges and drops), keeping ranks and calibration. */
    public CompressionPlan withoutDepthChanges() {
        return new CompressionPlan(modelFingerprint, calibration, ranks, List.of(), new TreeSet<>(), new TreeSet<>(),
                new TreeSet<>(), tokenPruning, soco);
    }

    private static SortedSet<Integer> toggled(SortedSet<Integer> set, int layer, boolean on) {
        SortedSet<Integer> s = new TreeSet<>(set);
        if (on) {
            s.add(layer);
        } else {
            s.remove(layer);
        }
        return s;
    }

    // ---- what the plan does to depth ----

    /** The merge group holding {@code layer}, or null. */
    public MergeGroup mergeOf(int layer) {
        for (MergeGroup g : merges) {
            if (g.contains(layer)) {
                return g;
            }
        }
        return null;
    }

    /** Whether the original decoder layer survives as a layer of its own (not dropped, not merged away). */
    public boolean keepsLayer(int layer) {
        MergeGroup g = mergeOf(layer);
        return !droppedLayers.contains(layer) && (g == null || g.first() == layer);
    }

    /**
     * The original index of each layer of the compressed decoder, in order: {@code result[new] = old}
     * (for a merge group, its first layer).
     */
    public int[] survivingLayers(int decoderLayers) {
        return java.util.stream.IntStream.range(0, decoderLayers).filter(this::keepsLayer).toArray();
    }

    // ---- validation ----

    /**
     * Refuses a plan that cannot apply to {@code model}, naming the entry: a plan for another model,
     * an unknown matrix, a rank outside {@code 1..min(m, n)}, a layer out of range, overlapping merge
     * groups, a layer both merged and dropped, a sub-layer drop inside a dropped or merged layer, a rank
     * on a matrix the plan removes, or a plan that removes every layer.
     */
    public void validate(ModelShape model) {
        if (!modelFingerprint.equals(model.fingerprint())) {
            throw new PlanException("model_fingerprint", "the plan was made for model " + modelFingerprint
                    + " but this model is " + model.fingerprint() + " (a plan applies only to the model it was made on)");
        }
        int layers = model.decoderLayers();
        for (int i = 0; i < merges.size(); i++) {
            MergeGroup g = merges.get(i);
            if (g.last() >= layers) {
                throw new PlanException("merges[" + i + "]", "group " + g + " goes past the last decoder layer " + (layers - 1));
            }
            if (i > 0 && merges.get(i - 1).overlaps(g)) {
                throw new PlanException("merges[" + i + "]", "group " + g + " overlaps group " + merges.get(i - 1));
            }
        }
        checkLayers("drop_layers", droppedLayers, layers);
        checkLayers("drop_attention", droppedAttention, layers);
        checkLayers("drop_mlp", droppedMlp, layers);
        for (int layer : droppedLayers) {
            MergeGroup g = mergeOf(layer);
            if (g != null && g.first() != g.last()) {
                throw new PlanException("drop_layers", "layer " + layer + " is both dropped and in merge group " + g);
            }
        }
        for (String field : List.of("drop_attention", "drop_mlp")) {
            for (int layer : field.equals("drop_attention") ? droppedAttention : droppedMlp) {
                if (droppedLayers.contains(layer)) {
                    throw new PlanException(field, "layer " + layer + " is dropped whole already");
                }
                MergeGroup g = mergeOf(layer);
                if (g != null && g.first() != g.last()) {
                    throw new PlanException(field, "layer " + layer + " is in merge group " + g
                            + " (drop sub-layers of the merged layer, not of its parts)");
                }
                if (droppedAttention.contains(layer) && droppedMlp.contains(layer)) {
                    throw new PlanException(field, "layer " + layer + " loses both sub-layers: drop the layer instead");
                }
            }
        }
        if (survivingLayers(layers).length == 0) {
            throw new PlanException("drop_layers", "the plan removes all " + layers + " decoder layers");
        }
        try {
            tokenPruning.checkLayers(layers);
        } catch (IllegalArgumentException e) {
            throw new PlanException("token_pruning", e.getMessage());
        }
        tokenPruningAfterReindexing(layers);
        if (hasSocoRanks() && soco == null) {
            throw new PlanException("soco", "ranks name the soco method but the plan does not say what their scores were "
                    + "trained for (ratio and settings)");
        }
        for (Map.Entry<String, MatrixRank> e : ranks.entrySet()) {
            String entry = "ranks['" + e.getKey() + "']";
            ModelShape.Matrix m = model.matrices().get(e.getKey());
            if (m == null) {
                throw new PlanException(entry, "no linear map of this model has that name");
            }
            int k = e.getValue().rank();
            if (k < 1 || k > m.maxRank()) {
                throw new PlanException(entry, "rank " + k + " is outside 1.." + m.maxRank() + " for a " + m.rows()
                        + "×" + m.cols() + " matrix");
            }
            if (m.component().equals("text")) {
                if (!keepsLayer(m.layer())) {
                    throw new PlanException(entry, "layer " + m.layer() + " is removed by the plan ("
                            + (droppedLayers.contains(m.layer()) ? "dropped" : "merged into layer "
                                    + mergeOf(m.layer()).first()) + ")");
                }
                boolean attention = m.inAttention();
                if (attention ? droppedAttention.contains(m.layer()) : droppedMlp.contains(m.layer())) {
                    throw new PlanException(entry, "the " + (attention ? "attention" : "MLP") + " of layer " + m.layer()
                            + " is dropped by the plan");
                }
            }
        }
    }

    private static void checkLayers(String field, SortedSet<Integer> set, int layers) {
        for (int layer : set) {
            if (layer < 0 || layer >= layers) {
                throw new PlanException(field, "layer " + layer + " is outside 0.." + (layers - 1));
            }
        }
    }

    // ---- JSON ----

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("format", FORMAT);
        o.addProperty("version", VERSION);
        o.addProperty("model_fingerprint", modelFingerprint);
        if (calibration != null) {
            JsonObject c = new JsonObject();
            c.addProperty("source", calibration.source());
            c.addProperty("items", calibration.items());
            c.addProperty("fingerprint", calibration.fingerprint());
            o.add("calibration", c);
        }
        JsonObject r = new JsonObject();
        ranks.forEach((name, rank) -> {
            JsonObject e = new JsonObject();
            e.addProperty("rank", rank.rank());
            e.addProperty("method", rank.method());
            r.add(name, e);
        });
        o.add("ranks", r);
        JsonArray m = new JsonArray();
        for (MergeGroup g : merges) {
            JsonObject e = new JsonObject();
            e.addProperty("first", g.first());
            e.addProperty("last", g.last());
            e.addProperty("formula", g.formula().jsonName());
            m.add(e);
        }
        o.add("merges", m);
        o.add("drop_layers", array(droppedLayers));
        o.add("drop_attention", array(droppedAttention));
        o.add("drop_mlp", array(droppedMlp));
        if (!tokenPruning.isNone()) {
            o.add("token_pruning", tokenPruning.toJsonObject());
        }
        if (soco != null) {
            o.add("soco", soco.toJson());
        }
        return o;
    }

    public String toJsonString() {
        return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(toJson());
    }

    private static JsonArray array(SortedSet<Integer> set) {
        JsonArray a = new JsonArray();
        set.forEach(a::add);
        return a;
    }

    /** Reads a plan file, refusing a wrong format or version and any malformed entry with the file and field named. */
    public static CompressionPlan read(Path file) {
        JsonFields f = JsonFields.read(file);
        try {
            return fromJson(f);
        } catch (PlanException e) {
            throw new ConfigException(file, e.entry(), e.getMessage());
        }
    }

    public static CompressionPlan fromJson(JsonFields f) {
        if (!FORMAT.equals(f.string("format", null))) {
            throw f.error("format", "is not a compression plan (expected \"" + FORMAT + "\")");
        }
        int version = f.integer("version");
        if (version != VERSION) {
            throw f.error("version", "plan version " + version + " is not supported (this build reads version " + VERSION + ")");
        }
        Calibration calibration = null;
        if (f.has("calibration")) {
            JsonFields c = f.object("calibration");
            calibration = new Calibration(c.string("source"), c.integer("items"), c.string("fingerprint"));
        }
        SortedMap<String, MatrixRank> ranks = new TreeMap<>();
        if (f.has("ranks")) {
            JsonFields r = f.object("ranks");
            for (String name : r.raw().keySet()) {
                JsonFields e = r.object(name);
                String method = e.string("method");
                if (!MatrixRank.METHODS.contains(method)) {
                    throw e.error("method", "unknown low-rank method '" + method + "': one of " + MatrixRank.METHODS);
                }
                ranks.put(name, new MatrixRank(e.integer("rank"), method));
            }
        }
        List<MergeGroup> merges = new ArrayList<>();
        if (f.has("merges")) {
            JsonArray a = f.raw().getAsJsonArray("merges");
            for (int i = 0; i < a.size(); i++) {
                if (!a.get(i).isJsonObject()) {
                    throw f.error("merges[" + i + "]", "must be an object {first, last, formula}");
                }
                JsonFields g = new JsonFields(f.file(), f.path("merges[" + i + "]"), a.get(i).getAsJsonObject());
                try {
                    merges.add(new MergeGroup(g.integer("first"), g.integer("last"),
                            MergeFormula.parse(g.string("formula", "rdsc"))));
                } catch (PlanException e) {
                    throw f.error("merges[" + i + "]", e.getMessage());
                }
            }
        }
        VisualTokenPruning tokenPruning = VisualTokenPruning.NONE;
        if (f.has("token_pruning")) {
            try {
                tokenPruning = VisualTokenPruning.fromJson(f.raw().get("token_pruning"));
            } catch (InvalidPruningException e) {
                throw f.error("token_pruning." + e.field(), e.problem());
            }
        }
        SocoTarget soco = null;
        if (f.has("soco")) {
            try {
                soco = SocoTarget.fromJson(f.object("soco"));
            } catch (PlanException e) {
                throw f.error(e.entry(), e.getMessage());
            } catch (IllegalArgumentException e) {
                throw f.error("soco", e.getMessage());
            }
        }
        return new CompressionPlan(f.string("model_fingerprint"), calibration, ranks, merges, layers(f, "drop_layers"),
                layers(f, "drop_attention"), layers(f, "drop_mlp"), tokenPruning, soco);
    }

    private static SortedSet<Integer> layers(JsonFields f, String field) {
        SortedSet<Integer> out = new TreeSet<>();
        if (f.has(field)) {
            for (int layer : f.integers(field)) {
                if (!out.add(layer)) {
                    throw f.error(field, "lists layer " + layer + " twice");
                }
            }
        }
        return out;
    }
}
