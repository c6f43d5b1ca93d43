package org.lvlmworkbench.core.model.pruning;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A visual-token pruning policy: which image tokens a LLaVA-style model drops from its sequence as
 * the prompt runs through the decoder, so that later layers work on fewer positions. It is a
 * run-time setting of the model (config.json's {@code visual_token_pruning}, or
 * {@code LanguageModel.withPruning}), not a change of its weights. Immutable.
 *
 * <p>The policy is an ordered list of stages. A stage at layer {@code K} runs just before decoder
 * layer {@code K}: it scores the image tokens still in the sequence, keeps some of them and
 * removes the rest from the residual stream, so layer {@code K} and every later one see fewer rows.
 * Text tokens are never removed. The methods:
 *
 * <ul>
 * <li>{@code fastv} ({@link FastV}, FastV, arXiv 2403.06764) — score = the attention of the last
 *     prompt token to each image token at layer {@code K−1}, averaged over heads; keep the top
 *     {@code ⌈(1−R)·n⌉} of the {@code n} image tokens entering the stage. {@code K ≥ 1}.</li>
 * <li>{@code schedule} ({@link Schedule}) — scored like FastV at its own layer, but the count is
 *     {@code ⌈keep·N⌉} of the prompt's ORIGINAL {@code N} image tokens; several schedule stages form a
 *     per-layer budget and their {@code keep} values must not increase. {@code K ≥ 1}.</li>
 * <li>{@code adaptive} ({@link Adaptive}, ATP-LLaVA's per-instance threshold without its training) —
 *     scored like FastV; keep the smallest set of tokens holding a fraction {@code mass} of the
 *     attention the last prompt token pays to the image tokens, with a floor of {@code min_keep}
 *     tokens ({@link TokenSelection#massCover}). {@code K ≥ 1}.</li>
 * <li>{@code diversity} ({@link Diversity}, DivPrune / ToDRE's greedy max-min) — on the image
 *     tokens' hidden states entering layer {@code K}, keep {@code ⌈(1−R)·n⌉} picked by greedy
 *     max-min cosine distance ({@link TokenSelection#maxMinDiversity}). {@code K ≥ 0}; at
 *     {@code K = 0} it acts on the projector's output, as DivPrune does.</li>
 * </ul>
 *
 * <p><b>Positions.</b> Kept tokens keep their original rotary positions (FastV's "inplace" mode:
 * {@code position_ids} are the kept tokens' original indices), and the causal mask is taken over the
 * kept sequence in its original order; the removed tokens simply vanish as keys and queries from
 * layer {@code K} on. A kept token therefore computes exactly what it would in an unpruned pass
 * whose layers {@code ≥ K} mask the removed tokens out as keys (FastV's "mask" mode), only faster.
 * Generation continues at the original prompt length, not at the shortened cache length.
 *
 * <p>JSON ({@link #toJson()}, {@link #fromJson(String)}), version {@value #VERSION}:
 * <pre>{@code
 * {"version": 1, "stages": [
 *   {"layer": 2, "method": "fastv", "ratio": 0.5},
 *   {"layer": 4, "method": "schedule", "keep": 0.25},
 *   {"layer": 5, "method": "adaptive", "mass": 0.9, "min_keep": 4},
 *   {"layer": 6, "method": "diversity", "ratio": 0.5}]}
 * }</pre>
 * Stages are listed by strictly increasing layer, at most one per layer. {@code {"version": 1,
 * "stages": []}} is no pruning.
 */
public final class VisualTokenPruning {

    /** The JSON form's version this build writes and reads. */
    public static final int VERSION = 1;

    /** No stage: every image token stays. */
    public static final VisualTokenPruning NONE = new VisualTokenPruning(List.of());

    public static final String FASTV = "fastv";
    public static final String SCHEDULE = "schedule";
    public static final String ADAPTIVE = "adaptive";
    public static final String DIVERSITY = "diversity";

    /** One stage of a policy, run just before decoder layer {@link #layer()}. */
    public sealed interface Stage permits AttentionStage, Diversity {

        /** The decoder layer {@code K} before which the stage removes tokens. */
        int layer();

        /** The method's name in the JSON form. */
        String method();

        /** A line for people, e.g. {@code fastv before layer 2: remove 50% of the image tokens}. */
        String describe();

        /** The same stage before another layer (a compression plan re-indexes layers after drops and merges). */
        Stage withLayer(int newLayer);
    }

    /**
     * A stage scored by the attention of the last prompt token, at layer {@code K−1} and averaged over
     * heads, to each image token still in the sequence.
     */
    public sealed interface AttentionStage extends Stage permits FastV, Schedule, Adaptive {

        /**
         * The tokens to keep, ascending indices into {@code scores}.
         *
         * @param scores        one score per image token entering the stage, in sequence order
         * @param originalCount image tokens in the prompt before any stage removed some
         */
        int[] select(float[] scores, int originalCount);
    }

    /** FastV: keep the top {@code ⌈(1−ratio)·n⌉} of the {@code n} image tokens entering the stage. */
    public record FastV(int layer, double ratio) implements AttentionStage {

        public FastV {
            checkAttentionLayer(layer);
            checkRatio(ratio);
        }

        @Override
        public FastV withLayer(int newLayer) {
            return new FastV(newLayer, ratio);
        }

        @Override
        public String method() {
            return FASTV;
        }

        @Override
        public int[] select(float[] scores, int originalCount) {
            return TokenSelection.topK(scores, TokenSelection.keepCount(1 - ratio, scores.length));
        }

        @Override
        public String describe() {
            return FASTV + " before layer " + layer + ": remove " + percent(ratio) + " of the image tokens";
        }
    }

    /**
     * One step of a FastV-scored budget: keep the top {@code ⌈keep·N⌉} of the prompt's {@code N} original
     * image tokens (never more than are still there).
     */
    public record Schedule(int layer, double keep) implements AttentionStage {

        public Schedule {
            checkAttentionLayer(layer);
            if (!(keep > 0 && keep <= 1)) {
                throw new InvalidPruningException("keep", "must be in (0, 1] (the fraction of the original image "
                        + "tokens kept), found " + keep);
            }
        }

        @Override
        public Schedule withLayer(int newLayer) {
            return new Schedule(newLayer, keep);
        }

        @Override
        public String method() {
            return SCHEDULE;
        }

        @Override
        public int[] select(float[] scores, int originalCount) {
            int k = Math.min(scores.length, TokenSelection.keepCount(keep, originalCount));
            return TokenSelection.topK(scores, k);
        }

        @Override
        public String describe() {
            return SCHEDULE + " before layer " + layer + ": keep " + percent(keep) + " of the original image tokens";
        }
    }

    /** Keep the fewest image tokens that hold {@code mass} of the attention, at least {@code minKeep}. */
    public record Adaptive(int layer, double mass, int minKeep) implements AttentionStage {

        public Adaptive {
            checkAttentionLayer(layer);
            if (!(mass > 0 && mass <= 1)) {
                throw new InvalidPruningException("mass", "must be in (0, 1] (the fraction of the attention to "
                        + "the image tokens that the kept ones hold), found " + mass);
            }
            if (minKeep < 1) {
                throw new InvalidPruningException("min_keep", "must be at least 1, found " + minKeep);
            }
        }

        @Override
        public Adaptive withLayer(int newLayer) {
            return new Adaptive(newLayer, mass, minKeep);
        }

        @Override
        public String method() {
            return ADAPTIVE;
        }

        @Override
        public int[] select(float[] scores, int originalCount) {
            return TokenSelection.massCover(scores, mass, minKeep);
        }

        @Override
        public String describe() {
            return ADAPTIVE + " before layer " + layer + ": keep the image tokens holding " + percent(mass)
                    + " of the attention, at least " + minKeep;
        }
    }

    /** Greedy max-min diversity of the hidden states entering layer {@code K}: keep {@code ⌈(1−ratio)·n⌉}. */
    public record Diversity(int layer, double ratio) implements Stage {

        public Diversity {
            if (layer < 0) {
                throw new InvalidPruningException("layer", "must be at least 0, found " + layer);
            }
            checkRatio(ratio);
        }

        @Override
        public Diversity withLayer(int newLayer) {
            return new Diversity(newLayer, ratio);
        }

        @Override
        public String method() {
            return DIVERSITY;
        }

        /** The tokens to keep, ascending indices into {@code features} (one hidden state per image token). */
        public int[] select(float[][] features) {
            return TokenSelection.maxMinDiversity(features, TokenSelection.keepCount(1 - ratio, features.length));
        }

        @Override
        public String describe() {
            return DIVERSITY + " before layer " + layer + ": remove " + percent(ratio)
                    + " of the image tokens, keeping the most diverse";
        }
    }

    private final List<Stage> stages;

    private VisualTokenPruning(List<Stage> stages) {
        this.stages = stages;
    }

    /**
     * A policy of these stages, in order.
     *
     * @throws InvalidPruningException when layers do not strictly increase or schedule stages' keep
     *                                 values increase; the field names the stage, e.g. {@code stages[1].layer}
     */
    public static VisualTokenPruning of(List<? extends Stage> stages) {
        List<Stage> list = List.copyOf(stages);
        int previousLayer = -1;
        double previousKeep = Double.POSITIVE_INFINITY;
        for (int i = 0; i < list.size(); i++) {
            Stage s = list.get(i);
            if (s.layer() <= previousLayer) {
                throw new InvalidPruningException("stages[" + i + "].layer", "must be greater than the previous "
                        + "stage's layer " + previousLayer + " (stages run in layer order, one per layer), found "
                        + s.layer());
            }
            previousLayer = s.layer();
            if (s instanceof Schedule sch) {
                if (sch.keep() > previousKeep) {
                    throw new InvalidPruningException("stages[" + i + "].keep", "a schedule must not increase: "
                            + sch.keep() + " follows " + previousKeep);
                }
                previousKeep = sch.keep();
            }
        }
        return list.isEmpty() ? NONE : new VisualTokenPruning(list);
    }

    public static VisualTokenPruning of(Stage... stages) {
        return of(List.of(stages));
    }

    /** FastV with one stage: before layer {@code k}, remove {@code ratio} of the image tokens. */
    public static VisualTokenPruning fastV(int k, double ratio) {
        return of(new FastV(k, ratio));
    }

    /** A FastV-scored schedule: before {@code layers[i]}, keep {@code keep[i]} of the original image tokens. */
    public static VisualTokenPruning schedule(int[] layers, double[] keep) {
        if (layers.length != keep.length) {
            throw new InvalidPruningException("stages", layers.length + " layers but " + keep.length
                    + " keep ratios");
        }
        List<Stage> list = new ArrayList<>();
        for (int i = 0; i < layers.length; i++) {
            try {
                list.add(new Schedule(layers[i], keep[i]));
            } catch (InvalidPruningException e) {
                throw new InvalidPruningException("stages[" + i + "]." + e.field(), e.problem());
            }
        }
        return of(list);
    }

    public static VisualTokenPruning adaptive(int k, double mass, int minKeep) {
        return of(new Adaptive(k, mass, minKeep));
    }

    public static VisualTokenPruning diversity(int k, double ratio) {
        return of(new Diversity(k, ratio));
    }

    public List<Stage> stages() {
        return stages;
    }

    public boolean isNone() {
        return stages.isEmpty();
    }

    /** The stage that runs just before {@code layer}, or null. */
    public Stage stageAt(int layer) {
        for (Stage s : stages) {
            if (s.layer() == layer) {
                return s;
            }
        }
        return null;
    }

    /** Whether a stage needs the attention row of the last prompt token at {@code layer} (it runs at {@code layer + 1}). */
    public boolean needsAttentionAt(int layer) {
        return stageAt(layer + 1) instanceof AttentionStage;
    }

    /**
     * Refuses stages at or past the decoder's last layer, where nothing would run on the shorter
     * sequence.
     *
     * @throws InvalidPruningException naming {@code stages[i].layer}
     */
    public VisualTokenPruning checkLayers(int numLayers) {
        for (int i = 0; i < stages.size(); i++) {
            int k = stages.get(i).layer();
            if (k >= numLayers) {
                throw new InvalidPruningException("stages[" + i + "].layer", "is " + k + " but the decoder has "
                        + numLayers + " layers (0.." + (numLayers - 1) + ")");
            }
        }
        return this;
    }

    /** One line per stage, or "none". */
    public String describe() {
        return stages.isEmpty() ? "none" : stages.stream().map(Stage::describe).collect(Collectors.joining("; "));
    }

    /** The JSON form (compact; keys in a fixed order), readable by {@link #fromJson(String)}. */
    public String toJson() {
        return toJsonObject().toString();
    }

    public JsonObject toJsonObject() {
        JsonObject root = new JsonObject();
        root.addProperty("version", VERSION);
        JsonArray list = new JsonArray();
        for (Stage s : stages) {
            JsonObject o = new JsonObject();
            o.addProperty("layer", s.layer());
            o.addProperty("method", s.method());
            if (s instanceof FastV f) {
                o.addProperty("ratio", f.ratio());
            } else if (s instanceof Schedule sch) {
                o.addProperty("keep", sch.keep());
            } else if (s instanceof Adaptive a) {
                o.addProperty("mass", a.mass());
                o.addProperty("min_keep", a.minKeep());
            } else if (s instanceof Diversity d) {
                o.addProperty("ratio", d.ratio());
            }
            list.add(o);
        }
        root.add("stages", list);
        return root;
    }

    /**
     * Reads the JSON form.
     *
     * @throws InvalidPruningException naming the field, for malformed JSON, a missing or unknown field,
     *                                 an unsupported version, an unknown method or a value out of range
     */
    public static VisualTokenPruning fromJson(String json) {
        JsonElement e;
        try {
            e = JsonParser.parseString(json);
        } catch (JsonParseException ex) {
            throw new InvalidPruningException("", "is not valid JSON: " + ex.getMessage());
        }
        return fromJson(e);
    }

    /** {@link #fromJson(String)} for an element already parsed, e.g. a field of config.json. */
    public static VisualTokenPruning fromJson(JsonElement json) {
        if (json == null || !json.isJsonObject()) {
            throw new InvalidPruningException("", "must be a JSON object with \"version\" and \"stages\", found "
                    + json);
        }
        JsonObject root = json.getAsJsonObject();
        onlyKnown(root, "", Set.of("version", "stages"));
        int version = integer(root, "", "version");
        if (version != VERSION) {
            throw new InvalidPruningException("version", "version " + version + " is not supported; this build "
                    + "reads version " + VERSION);
        }
        JsonElement list = root.get("stages");
        if (list == null || list.isJsonNull()) {
            throw new InvalidPruningException("stages", "is missing");
        }
        if (!list.isJsonArray()) {
            throw new InvalidPruningException("stages", "must be a list of stage objects, found " + list);
        }
        List<Stage> stages = new ArrayList<>();
        JsonArray array = list.getAsJsonArray();
        for (int i = 0; i < array.size(); i++) {
            String at = "stages[" + i + "]";
            JsonElement item = array.get(i);
            if (!item.isJsonObject()) {
                throw new InvalidPruningException(at, "must be an object, found " + item);
            }
            stages.add(stage(item.getAsJsonObject(), at));
        }
        return of(stages);
    }

    private static Stage stage(JsonObject o, String at) {
        String method = string(o, at, "method");
        int layer = integer(o, at, "layer");
        try {
            switch (method) {
                case FASTV -> {
                    onlyKnown(o, at, Set.of("layer", "method", "ratio"));
                    return new FastV(layer, number(o, at, "ratio"));
                }
                case SCHEDULE -> {
                    onlyKnown(o, at, Set.of("layer", "method", "keep"));
                    return new Schedule(layer, number(o, at, "keep"));
                }
                case ADAPTIVE -> {
                    onlyKnown(o, at, Set.of("layer", "method", "mass", "min_keep"));
                    return new Adaptive(layer, number(o, at, "mass"), integer(o, at, "min_keep"));
                }
                case DIVERSITY -> {
                    onlyKnown(o, at, Set.of("layer", "method", "ratio"));
                    return new Diversity(layer, number(o, at, "ratio"));
                }
                default -> throw new InvalidPruningException(at + ".method", "unknown method '" + method
                        + "'; known: " + FASTV + ", " + SCHEDULE + ", " + ADAPTIVE + ", " + DIVERSITY);
            }
        } catch (InvalidPruningException e) {
            if (e.field().startsWith(at)) {
                throw e;
            }
            throw new InvalidPruningException(at + "." + e.field(), e.problem());
        }
    }

    private static void onlyKnown(JsonObject o, String at, Set<String> known) {
        for (String key : o.keySet()) {
            if (!known.contains(key)) {
                throw new InvalidPruningException(join(at, key), "is not a field here; expected "
                        + known.stream().sorted().collect(Collectors.joining(", ")));
            }
        }
    }

    private static JsonPrimitive primitive(JsonObject o, String at, String field) {
        JsonElement e = o.get(field);
        if (e == null || e.isJsonNull()) {
            throw new InvalidPruningException(join(at, field), "is missing");
        }
        if (!e.isJsonPrimitive()) {
            throw new InvalidPruningException(join(at, field), "must be a single value, found " + e);
        }
        return e.getAsJsonPrimitive();
    }

    private static String string(JsonObject o, String at, String field) {
        JsonPrimitive p = primitive(o, at, field);
        if (!p.isString()) {
            throw new InvalidPruningException(join(at, field), "must be a string, found " + p);
        }
        return p.getAsString();
    }

    private static double number(JsonObject o, String at, String field) {
        JsonPrimitive p = primitive(o, at, field);
        if (!p.isNumber()) {
            throw new InvalidPruningException(join(at, field), "must be a number, found " + p);
        }
        return p.getAsDouble();
    }

    private static int integer(JsonObject o, String at, String field) {
        JsonPrimitive p = primitive(o, at, field);
        double d = p.isNumber() ? p.getAsDouble() : Double.NaN;
        if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
            throw new InvalidPruningException(join(at, field), "must be an integer, found " + p);
        }
        return (int) d;
    }

    private static String join(String at, String field) {
        return at.isEmpty() ? field : at + "." + field;
    }

    private static void checkAttentionLayer(int layer) {
        if (layer < 1) {
            throw new InvalidPruningException("layer", "must be at least 1 (the score reads the attention of "
                    + "layer K−1), found " + layer);
        }
    }

    private static void checkRatio(double ratio) {
        if (!(ratio >= 0 && ratio < 1)) {
            throw new InvalidPruningException("ratio", "must be in [0, 1) (the fraction of the image tokens "
                    + "removed), found " + ratio);
        }
    }

    private static String percent(double fraction) {
        double p = fraction * 100;
        return (p == Math.rint(p) ? Long.toString((long) p) : String.format(java.util.Locale.ROOT, "%.1f", p)) + "%";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VisualTokenPruning other && stages.equals(other.stages);
    }

    @Override
    public int hashCode() {
        return stages.hashCode();
    }

    @Override
    public String toString() {
        return toJson();
    }
}
