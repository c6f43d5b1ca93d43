package org.lvlmworkbench.core.compress.apply;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.MatrixRank;
import org.lvlmworkbench.core.compress.plan.MergeFormula;
import org.lvlmworkbench.core.compress.plan.MergeGroup;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.jobs.Cancellation;
import org.lvlmworkbench.core.linalg.LowRank;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelFingerprint;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.SafetensorsFile;
import org.lvlmworkbench.core.safetensors.SafetensorsWriter;
import org.lvlmworkbench.core.safetensors.TensorEntry;

/**
 * Applies a {@link CompressionPlan}: builds the compressed model beside the original, from a patched
 * configuration and a derived checkpoint, through the same constructors the loader uses; the
 * original model and its folder are never touched, and both can run side by side.
 *
 * <p>What the derived checkpoint holds (see {@link Checkpoint#derived}): every tensor the plan keeps,
 * read from the original's mapping under its new name (decoder layers re-indexed after drops and
 * merges); and, in a temporary float32 safetensors file, the tensors the plan computes: merged
 * layers' weights ({@link MergeFormula}) and the two factors {@code NAME.down.weight [k, in]} and
 * {@code NAME.up.weight [out, k]} of every factorised matrix (the bias keeps {@code NAME.bias}).
 * That file is written tensor by tensor, each computed when its turn comes, so memory holds one
 * matrix's work at a time; once the model has mapped it, it is deleted.
 *
 * <p>The configuration: the decoder's {@code num_hidden_layers} after drops and merges,
 * {@code drop_attn_list}/{@code drop_mlp_list} (LLM-Drop's names) with the new indices, and
 * {@code low_rank_ranks} (module name → rank) for readers that build factored layers from the
 * config, and the plan's visual-token pruning as {@code visual_token_pruning} (re-indexed), which the
 * LLaVA forward pass runs.
 */
public final class PlanApplier {

    /** Factorises one matrix (original or merged) to the plan's rank with the plan's method. */
    @FunctionalInterface
    public interface Factorizer {
        /**
         * @param matrix the original map this weight belongs to (its layer, role and input hook)
         * @param weight row-major {@code [rows, cols]} float32, the merged weight for a merge group's layer
         * @param merged whether {@code weight} is a merge's result rather than the checkpoint's matrix
         */
        LowRank factorize(ModelShape.Matrix matrix, float[] weight, MatrixRank rank, boolean merged);
    }

    /** The linear maps of a merged layer whose weights (and biases) the merge formula combines. */
    private static final Pattern MERGED = Pattern.compile("(self_attn\\.[qkvo]_proj|mlp\\.(gate|up|down)_proj)\\.(weight|bias)");
    private static final Pattern LAYER = Pattern.compile("^(.*\\blayers\\.)(\\d+)\\.(.*)$");

    private PlanApplier() {
    }

    /** The plan-facing description of a loaded model: fingerprint, decoder depth and every linear map. */
    public static ModelShape shapeOf(LoadedModel model) {
        List<ModelShape.Matrix> matrices = new ArrayList<>();
        for (LinearWeight w : model.model().linears()) {
            matrices.add(new ModelShape.Matrix(w.name(), w.component(), w.layer(), w.role(),
                    Math.toIntExact(w.rows()), Math.toIntExact(w.cols())));
        }
        return ModelShape.of(ModelFingerprint.of(model.folder()), model.model().decoder().numLayers(), matrices);
    }

    /** The prefix of decoder layer keys up to and including {@code layers.}, e.g. {@code language_model.model.layers.}. */
    static String decoderLayerPrefix(ModelShape shape) {
        for (ModelShape.Matrix m : shape.matrices().values()) {
            if (m.component().equals("text")) {
                Matcher x = LAYER.matcher(m.name());
                if (x.matches() && Integer.parseInt(x.group(2)) == m.layer()) {
                    return x.group(1);
                }
            }
        }
        throw new IllegalStateException("no decoder layer keys found among the model's linear maps");
    }

    public static LoadedModel apply(LoadedModel original, CompressionPlan plan, Factorizer factorizer) {
        return apply(original, shapeOf(original), plan, factorizer);
    }

    /**
     * {@link #apply(LoadedModel, CompressionPlan, Factorizer)} with the original's shape already known:
     * {@link #derive} then load. The computed tensors go to a temporary float32 safetensors file, written
     * tensor by tensor (each factorised when its turn comes) and deleted once the model has mapped it.
     */
    public static LoadedModel apply(LoadedModel original, ModelShape shape, CompressionPlan plan, Factorizer factorizer) {
        return apply(original, shape, plan, factorizer, false);
    }

    /**
     * As {@link #apply(LoadedModel, ModelShape, CompressionPlan, Factorizer)}; {@code trainable} also writes
     * every 16-bit matrix of the language model (decoder layers, {@code lm_head}, {@code embed_tokens}) as
     * float32 into the computed file, so that gradients flow through the whole decoder: the Java and oneDNN
     * kernels that serve 16-bit weights are outside autograd (SoCo trains through such a model). The vision
     * tower and projector stay as stored: nothing upstream of the decoder needs a gradient.
     */
    public static LoadedModel apply(LoadedModel original, ModelShape shape, CompressionPlan plan, Factorizer factorizer,
            boolean trainable) {
        Derived derived = derive(original, shape, plan, factorizer, trainable);
        Path scratch;
        try {
            scratch = Files.createTempDirectory("lvlm-plan-");
        } catch (IOException e) {
            derived.close();
            throw new UncheckedIOException("cannot create a scratch folder for the compressed weights: " + e, e);
        }
        try {
            Map<String, String> taken = new LinkedHashMap<>();
            SafetensorsWriter computed = new SafetensorsWriter();
            for (DerivedTensor t : derived.tensors()) {
                if (t instanceof Kept k) {
                    taken.put(k.name(), k.source());
                } else if (t instanceof Computed c) {
                    computed.add(new SafetensorsWriter.PendingTensor(c.name(), DType.F32, c.shape(),
                            () -> f32(c.values().get())));
                } else {
                    Factored f = (Factored) t;
                    // The two factors are written one after the other: the first computes both, the second takes the other.
                    Factors[] held = new Factors[1];
                    computed.add(new SafetensorsWriter.PendingTensor(f.downName(), DType.F32, f.downShape(), () -> {
                        held[0] = f.factors().get();
                        return f32(held[0].down());
                    }));
                    computed.add(new SafetensorsWriter.PendingTensor(f.upName(), DType.F32, f.upShape(), () -> {
                        ByteBuffer up = f32(held[0].up());
                        held[0] = null;
                        return up;
                    }));
                }
            }
            SafetensorsFile added = null;
            if (!computed.tensors().isEmpty()) {
                Path file = scratch.resolve("computed.safetensors");
                computed.write(file);
                added = SafetensorsFile.open(file);
            }
            Checkpoint checkpoint = Checkpoint.derived(derived.base(), taken, added);
            derived.handOver();
            return ModelLoader.load(original.folder(), new JsonFields(original.folder().resolve("config.json"), "",
                    derived.config()), checkpoint, original.model().manager().getDevice());
        } finally {
            derived.close();
            deleteScratch(scratch);
        }
    }

    /**
     * What {@code plan} makes of {@code original}, described and not yet computed: every tensor of the
     * compressed checkpoint in the original's order under its new name ({@link Kept} as stored,
     * {@link Computed} merged weights, {@link Factored} matrices) and the patched configuration. Cheap:
     * nothing is read or factorised until a tensor's values are asked for. Validates the plan first.
     * The caller closes the result (it holds the original's weights open for reading).
     */
    public static Derived derive(LoadedModel original, ModelShape shape, CompressionPlan plan, Factorizer factorizer) {
        return derive(original, shape, plan, factorizer, false);
    }

    /** {@link #derive(LoadedModel, ModelShape, CompressionPlan, Factorizer)}; {@code trainable} as in {@link #apply}. */
    public static Derived derive(LoadedModel original, ModelShape shape, CompressionPlan plan, Factorizer factorizer,
            boolean trainable) {
        plan.validate(shape);
        String layerPrefix = decoderLayerPrefix(shape);
        int layers = shape.decoderLayers();
        int[] surviving = plan.survivingLayers(layers);
        Map<Integer, Integer> newIndex = new HashMap<>();
        for (int j = 0; j < surviving.length; j++) {
            newIndex.put(surviving[j], j);
        }
        Checkpoint base = Checkpoint.open(original.folder());
        try {
            List<DerivedTensor> tensors = new ArrayList<>();
            Map<String, Integer> lowRankRanks = new LinkedHashMap<>();
            for (String name : base.names()) {
                String newName = name;
                Matcher m = LAYER.matcher(name);
                boolean decoder = m.matches() && m.group(1).equals(layerPrefix);
                MergeGroup group = null;
                if (decoder) {
                    int layer = Integer.parseInt(m.group(2));
                    String rest = m.group(3);
                    if (!plan.keepsLayer(layer) || removedSubLayer(plan, layer, rest)) {
                        continue;
                    }
                    newName = layerPrefix + newIndex.get(layer) + "." + rest;
                    group = plan.mergeOf(layer);
                    if (group != null && (group.first() == group.last() || !MERGED.matcher(rest).matches())) {
                        group = null; // norms stay the bottom layer's; a one-layer group is the identity
                    }
                }
                MatrixRank rank = name.endsWith(".weight") ? plan.ranks().get(name) : null;
                if (rank == null && group == null) {
                    TensorEntry entry = base.entry(name);
                    if (trainable && entry.dtype() != DType.F32 && entry.shape().length == 2
                            && (decoder || name.contains("lm_head") || name.contains("embed_tokens"))) {
                        String kept = name;
                        tensors.add(new Computed(newName, entry.shape().clone(), () -> read(base, kept)));
                    } else {
                        tensors.add(new Kept(newName, name, entry.dtype(), entry.shape().clone()));
                    }
                    continue;
                }
                long[] shapeOf = base.entry(name).shape().clone();
                MergeGroup g = group;
                String rest = decoder ? m.group(3) : null;
                // Each read opens its own engine scope: the suppliers may run long after this method returned.
                Supplier<float[]> values = g == null ? () -> read(base, name) : () -> merged(base, layerPrefix, g, rest);
                if (rank == null) {
                    tensors.add(new Computed(newName, shapeOf, values));
                    continue;
                }
                ModelShape.Matrix matrix = shape.matrices().get(name);
                String module = newName.substring(0, newName.length() - ".weight".length());
                lowRankRanks.put(module, rank.rank());
                tensors.add(new Factored(module, matrix.rows(), matrix.cols(), rank.rank(), () -> {
                    Cancellation.check();
                    LowRank f = factorizer.factorize(matrix, values.get(), rank, g != null);
                    checkFactors(f, matrix, rank);
                    return new Factors(f64to32(f.right()), f64to32(f.left()));
                }));
            }
            JsonObject config = patchedConfig(original.folder(), plan, newIndex, surviving.length, lowRankRanks);
            VisualTokenPruning pruning = plan.tokenPruningAfterReindexing(layers);
            if (!pruning.isNone()) {
                // A run-time policy of the LLaVA forward pass, read from the config like the rest of the model.
                config.add("visual_token_pruning", pruning.toJsonObject());
            }
            return new Derived(base, List.copyOf(tensors), config, Collections.unmodifiableMap(lowRankRanks), pruning);
        } catch (RuntimeException | Error e) {
            base.close();
            throw e;
        }
    }

    /** One tensor of a derived checkpoint. */
    public sealed interface DerivedTensor permits Kept, Computed, Factored {
    }

    /** A tensor of the original, unchanged, under its (possibly re-indexed) new name. */
    public record Kept(String name, String source, DType dtype, long[] shape) implements DerivedTensor {
    }

    /** A tensor the plan computes (a merged layer's weight or bias): float32 values, row-major. */
    public record Computed(String name, long[] shape, Supplier<float[]> values) implements DerivedTensor {
    }

    /**
     * A factorised map {@code module} ({@code [rows, cols]}, its weight was {@code module.weight}):
     * stored as {@code module.down.weight [rank, cols]} and {@code module.up.weight [rows, rank]}; its
     * bias, if any, stays a {@link Kept} {@code module.bias}. {@link #factors()} factorises on each call.
     */
    public record Factored(String module, int rows, int cols, int rank, Supplier<Factors> factors)
            implements DerivedTensor {

        public String downName() {
            return module + ".down.weight";
        }

        public String upName() {
            return module + ".up.weight";
        }

        public long[] downShape() {
            return new long[] {rank, cols};
        }

        public long[] upShape() {
            return new long[] {rows, rank};
        }
    }

    /** The two factors as float32, row-major: {@code down [rank, cols]}, {@code up [rows, rank]}. */
    public record Factors(float[] down, float[] up) {
    }

    /**
     * A plan's compressed checkpoint and configuration, described ({@link #derive}). Holds the
     * original's checkpoint open for reading until closed (or handed to a loaded model by apply).
     *
     * @param tensors      in the original checkpoint's order
     * @param config       the patched config.json (depth, sub-layer drops, {@code low_rank_ranks},
     *                     {@code visual_token_pruning})
     * @param lowRankRanks new module name → rank, for every factorised map
     * @param pruning      the plan's visual-token pruning in the compressed decoder's layer indices
     */
    public static final class Derived implements AutoCloseable {
        private final Checkpoint base;
        private final List<DerivedTensor> tensors;
        private final JsonObject config;
        private final Map<String, Integer> lowRankRanks;
        private final VisualTokenPruning pruning;
        private boolean handedOver;

        Derived(Checkpoint base, List<DerivedTensor> tensors, JsonObject config, Map<String, Integer> lowRankRanks,
                VisualTokenPruning pruning) {
            this.base = base;
            this.tensors = tensors;
            this.config = config;
            this.lowRankRanks = lowRankRanks;
            this.pruning = pruning;
        }

        /** The original's checkpoint, open for reading. */
        public Checkpoint base() {
            return base;
        }

        public List<DerivedTensor> tensors() {
            return tensors;
        }

        /** A copy of the patched configuration. */
        public JsonObject config() {
            return config.deepCopy();
        }

        public Map<String, Integer> lowRankRanks() {
            return lowRankRanks;
        }

        public VisualTokenPruning pruning() {
            return pruning;
        }

        /** The base now belongs to a derived checkpoint that closes it. */
        void handOver() {
            handedOver = true;
        }

        @Override
        public void close() {
            if (!handedOver) {
                handedOver = true;
                base.close();
            }
        }
    }

    /** Whether {@code rest} (a key inside a decoder layer) belongs to a sub-layer the plan drops. */
    private static boolean removedSubLayer(CompressionPlan plan, int layer, String rest) {
        if (plan.droppedAttention().contains(layer)) {
            return rest.startsWith("self_attn.") || rest.startsWith("input_layernorm.");
        }
        if (plan.droppedMlp().contains(layer)) {
            return rest.startsWith("mlp.") || rest.startsWith("post_attention_layernorm.");
        }
        return false;
    }

    /**
     * The merge group's tensor {@code rest} ({@code [rows, cols]} or a bias), by its formula:
     * RDSC {@code θ_l + Σ_{k=1..m} (θ_{l+k} − θ_l)}, summed in double, or the top layer's copy.
     */
    static float[] merged(Checkpoint base, String layerPrefix, MergeGroup g, String rest) {
        if (g.formula() == MergeFormula.COPY_TOP) {
            return read(base, layerPrefix + g.last() + "." + rest);
        }
        float[] bottom = read(base, layerPrefix + g.first() + "." + rest);
        double[] sum = new double[bottom.length];
        int m = g.last() - g.first();
        for (int i = 0; i < sum.length; i++) {
            sum[i] = (1 - m) * (double) bottom[i]; // θ_l − m·θ_l, then + Σ θ_{l+k} below
        }
        for (int layer = g.first() + 1; layer <= g.last(); layer++) {
            Cancellation.check();
            float[] upper = read(base, layerPrefix + layer + "." + rest);
            for (int i = 0; i < sum.length; i++) {
                sum[i] += upper[i];
            }
        }
        float[] out = new float[sum.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) sum[i];
        }
        return out;
    }

    /** A tensor's values as float32 (16-bit ones widened exactly), read from the mapping. */
    static float[] read(Checkpoint base, String name) {
        try (NDManager scope = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            NDArray a = base.load(name, scope);
            return (a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false)).toFloatArray();
        }
    }

    private static void checkFactors(LowRank f, ModelShape.Matrix matrix, MatrixRank rank) {
        if (f.rows() != matrix.rows() || f.cols() != matrix.cols() || f.rank() != rank.rank()) {
            throw new IllegalStateException("factorizer returned " + f.rows() + "×" + f.rank() + "·" + f.rank() + "×"
                    + f.cols() + " for " + matrix.name() + " at rank " + rank.rank());
        }
    }

    private static ByteBuffer f32(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b;
    }

    private static float[] f64to32(double[] values) {
        float[] out = new float[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) values[i];
        }
        return out;
    }

    /** The original config.json with the decoder's depth, sub-layer drops and low-rank ranks as the plan makes them. */
    static JsonObject patchedConfig(Path folder, CompressionPlan plan, Map<Integer, Integer> newIndex, int newLayers,
            Map<String, Integer> lowRankRanks) {
        JsonObject root = JsonFields.read(folder.resolve("config.json")).raw().deepCopy();
        JsonObject text = root.has("text_config") && root.get("text_config").isJsonObject()
                ? root.getAsJsonObject("text_config") : root;
        text.addProperty("num_hidden_layers", newLayers);
        text.remove("layer_types"); // per-layer lists of newer configs would no longer line up
        putLayers(text, "drop_attn_list", plan.droppedAttention(), newIndex);
        putLayers(text, "drop_mlp_list", plan.droppedMlp(), newIndex);
        if (!lowRankRanks.isEmpty()) {
            JsonObject ranks = new JsonObject();
            lowRankRanks.forEach(ranks::addProperty);
            root.add("low_rank_ranks", ranks);
        } else {
            root.remove("low_rank_ranks");
        }
        return root;
    }

    private static void putLayers(JsonObject text, String field, java.util.Set<Integer> layers, Map<Integer, Integer> newIndex) {
        if (layers.isEmpty()) {
            text.remove(field);
            return;
        }
        JsonArray a = new JsonArray();
        layers.stream().map(newIndex::get).sorted().forEach(a::add);
        text.add(field, a);
    }

    private static void deleteScratch(Path scratch) {
        // The model maps what it needs; on Linux and macOS a mapped file outlives its name.
        try (var files = Files.list(scratch)) {
            for (Path p : files.toList()) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    p.toFile().deleteOnExit();
                }
            }
            Files.deleteIfExists(scratch);
        } catch (IOException e) {
            scratch.toFile().deleteOnExit();
        }
    }
}
