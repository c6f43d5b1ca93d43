package org.lvlmworkbench.core.compress.export;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.lvlmworkbench.core.compress.apply.PlanApplier;
import org.lvlmworkbench.core.compress.apply.PlanApplier.Computed;
import org.lvlmworkbench.core.compress.apply.PlanApplier.Derived;
import org.lvlmworkbench.core.compress.apply.PlanApplier.DerivedTensor;
import org.lvlmworkbench.core.compress.apply.PlanApplier.Factored;
import org.lvlmworkbench.core.compress.apply.PlanApplier.Factors;
import org.lvlmworkbench.core.compress.apply.PlanApplier.Kept;
import org.lvlmworkbench.core.compress.plan.CompressionPlan;
import org.lvlmworkbench.core.compress.plan.ModelShape;
import org.lvlmworkbench.core.export.DiskSpace;
import org.lvlmworkbench.core.jobs.Cancellation;
import org.lvlmworkbench.core.jobs.Progress;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.safetensors.BFloat16;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.Float16;
import org.lvlmworkbench.core.safetensors.SafetensorsWriter;
import org.lvlmworkbench.core.safetensors.SafetensorsWriter.PendingTensor;

/**
 * Writes a compressed model as one Hugging Face folder: what a {@link CompressionPlan} makes of the
 * original ({@link PlanApplier#derive}), streamed tensor by tensor (each factorised when its turn
 * comes) into safetensors of the chosen dtype, with the patched {@code config.json}, the original's
 * tokenizer, processor, chat-template and generation files, and {@code compression_plan.json}.
 *
 * <p>Two kinds of folder ({@link Kind}):
 * <ul>
 * <li>{@link Kind#PLAIN}: whole-layer drops and merges only (or low-rank factors multiplied back with
 *     {@link ExportOptions#dense()}): standard tensors under standard names, re-indexed layers and
 *     {@code num_hidden_layers}; {@code LlavaForConditionalGeneration.from_pretrained} loads it with no
 *     custom code.</li>
 * <li>{@link Kind#REMOTE_CODE}: low-rank factors ({@code NAME.down.weight [k, in]},
 *     {@code NAME.up.weight [out, k]}, ranks per module in {@code low_rank_ranks}), dropped attention
 *     or MLP sub-layers ({@code text_config.drop_attn_list}/{@code drop_mlp_list}) or visual-token
 *     pruning ({@code visual_token_pruning}): the folder also holds {@value #MODELING_FILE}, named by
 *     {@code auto_map}, so {@code AutoModelForImageTextToText.from_pretrained(dir, trust_remote_code=True)}
 *     builds those layers and runs the pruning exactly as this project's engine does.</li>
 * </ul>
 * The project's own loader opens both kinds.
 *
 * <p>Safe writing: everything goes into a hidden folder beside the target ({@code .NAME.export-PID-…partial}),
 * each file flushed to disk, then the folder is renamed into place. An existing target is refused
 * unless {@link ExportOptions#force()}; with it, the old folder is renamed aside only once the new one
 * is complete, the new one renamed in, and the old one deleted. Free disk space is checked against
 * the size first. Cancelling (the {@link Progress}) or killing the process at any moment leaves the
 * target as it was: absent, or the previous folder. (Between the two renames of a forced replace,
 * a window of two system calls, the previous folder sits at {@code .NAME.previous-PID}; the next
 * export to that target puts it back.) Leftovers of killed exports are removed by the next export
 * to the same target. The source folder is only read.
 */
public final class ModelExporter {

    public static final String PLAN_FILE = "compression_plan.json";
    public static final String MODELING_FILE = "modeling_lvlm_compressed.py";
    public static final String MODEL_CLASS = "LvlmCompressedLlavaForConditionalGeneration";
    /** The auto class the modeling file registers under in {@code auto_map}. */
    public static final String AUTO_CLASS = "AutoModelForImageTextToText";

    private static final String PARTIAL = ".partial";
    /** Files of the source that are never copied: its weights (rewritten), its config (patched), other weight formats. */
    private static final Set<String> NOT_COPIED = Set.of("config.json", Checkpoint.INDEX_FILE, "pytorch_model.bin.index.json",
            PLAN_FILE, MODELING_FILE);
    private static final List<String> WEIGHT_SUFFIXES = List.of(".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5",
            ".msgpack", ".gguf", ".onnx", PARTIAL);

    /** What kind of folder an export is. */
    public enum Kind {
        /** Standard layers only: no custom code. */
        PLAIN,
        /** Needs {@value ModelExporter#MODELING_FILE} ({@code trust_remote_code=True}). */
        REMOTE_CODE
    }

    /**
     * The size and kind of an export before it is written.
     *
     * @param weightBytes bytes of tensor data
     * @param otherBytes  the copied files, the config and the plan
     * @param shards      weight files (1: {@code model.safetensors})
     * @param parameters  floating-point elements written
     */
    public record Estimate(Kind kind, long weightBytes, long otherBytes, int shards, long parameters) {

        public long totalBytes() {
            return weightBytes + otherBytes;
        }
    }

    /** A finished export. */
    public record Result(Path folder, Kind kind, long bytes, List<String> files, long parameters) {
    }

    private ModelExporter() {
    }

    /** The kind and size {@code plan} exports to under {@code options}; nothing is factorised or written. */
    public static Estimate estimate(LoadedModel original, CompressionPlan plan, ExportOptions options) {
        ModelShape shape = PlanApplier.shapeOf(original);
        try (Derived d = PlanApplier.derive(original, shape, plan, (m, w, r, merged) -> {
            throw new IllegalStateException("an estimate factorises nothing");
        })) {
            Layout layout = layout(d, plan, options, Progress.NONE);
            return new Estimate(layout.kind, layout.weightBytes(), copiedBytes(original.folder()) + (64L << 10),
                    layout.shards.size(), layout.parameters);
        }
    }

    /**
     * Exports {@code plan} applied to {@code original} into the folder {@code out} (see the class
     * comment). {@code factorizer} computes each low-rank matrix (a {@code Compressor} passes its
     * cached factorisations). Validates the plan against the model first (a plan for another model
     * is refused by its fingerprint). Throws {@link java.util.concurrent.CancellationException} when
     * {@code progress} is cancelled, having removed what it wrote.
     */
    public static Result export(LoadedModel original, PlanApplier.Factorizer factorizer, CompressionPlan plan, Path out,
            ExportOptions options, Progress progress) {
        return export(original, factorizer, plan, out, options, Map.of(), progress);
    }

    /**
     * As above, also writing {@code extraFiles} (a path relative to the folder, such as
     * {@code report/cka.svg}, and its bytes) into the folder before it is moved into place, so a
     * report appears with the model or not at all.
     */
    public static Result export(LoadedModel original, PlanApplier.Factorizer factorizer, CompressionPlan plan, Path out,
            ExportOptions options, Map<String, byte[]> extraFiles, Progress progress) {
        for (String name : extraFiles.keySet()) {
            Path p = Path.of(name).normalize();
            if (p.isAbsolute() || p.startsWith("..") || name.isBlank()) {
                throw new IllegalArgumentException("an extra export file must lie inside the folder, not '" + name + "'");
            }
        }
        Path source = original.folder().toAbsolutePath().normalize();
        Path target = out.toAbsolutePath().normalize();
        try {
            if (target.getParent() != null && Files.isDirectory(target.getParent())) {
                recover(target); // first: a previous folder put back is then "existing" like any other
            }
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot clean up after an earlier export: " + e.getMessage(), e);
        }
        checkTarget(source, target, options);
        ModelShape shape = PlanApplier.shapeOf(original);
        progress.update(0, "preparing the export of " + plan.ranks().size() + " factorised matrices");
        try (Derived derived = PlanApplier.derive(original, shape, plan, factorizer)) {
            Layout layout = layout(derived, plan, options, progress);
            JsonObject config = derived.config();
            String modelType = config.has("model_type") ? config.get("model_type").getAsString() : "";
            if (layout.kind == Kind.REMOTE_CODE && !modelType.equals("llava")) {
                throw new IllegalArgumentException("this plan needs custom modeling code (low-rank factors, sub-layer "
                        + "drops or token pruning), which is written for LLaVA models only; export with --dense and "
                        + "without sub-layer drops or token pruning");
            }
            Path parent = target.getParent();
            Files.createDirectories(parent);
            long extraBytes = 0;
            for (byte[] b : extraFiles.values()) {
                extraBytes += b.length;
            }
            long needed = layout.weightBytes() + copiedBytes(source) + extraBytes + (64L << 10);
            DiskSpace.require(parent, needed, 0, "the export");
            Path temp = parent.resolve("." + target.getFileName() + ".export-" + ProcessHandle.current().pid() + "-"
                    + randomId() + PARTIAL);
            Files.createDirectory(temp);
            try {
                Result written = Cancellation.watching(progress::isCancelled,
                        () -> writeAll(original, derived, plan, layout, options, extraFiles, temp, target, progress));
                progress.checkCancelled();
                syncFolder(temp);
                moveIntoPlace(temp, target);
                progress.update(1, "exported to " + target);
                return written;
            } catch (IOException e) {
                removeUnfinished(temp, e);
                throw e;
            } catch (RuntimeException | Error e) {
                removeUnfinished(temp, e);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot export: " + e.getMessage(), e);
        }
    }

    private static void removeUnfinished(Path temp, Throwable cause) {
        try {
            deleteRecursively(temp);
        } catch (RuntimeException cleanup) {
            cause.addSuppressed(cleanup);
        }
    }

    // ---- what is written ----

    /** The tensors to write in order, their shards, and the folder's kind. */
    private record Layout(Kind kind, List<PendingTensor> tensors, List<List<PendingTensor>> shards, long parameters) {

        long weightBytes() {
            long n = 0;
            for (PendingTensor t : tensors) {
                n += t.byteLength();
            }
            return n;
        }
    }

    private static Layout layout(Derived d, CompressionPlan plan, ExportOptions options, Progress progress) {
        boolean factors = !options.dense() && !d.lowRankRanks().isEmpty();
        boolean custom = factors || !plan.droppedAttention().isEmpty() || !plan.droppedMlp().isEmpty()
                || !d.pruning().isNone();
        List<PendingTensor> tensors = new ArrayList<>();
        long parameters = 0;
        for (DerivedTensor t : d.tensors()) {
            if (t instanceof Kept k) {
                DType to = k.dtype().isFloatingPoint() ? options.dtype() : k.dtype();
                tensors.add(new PendingTensor(k.name(), to, k.shape(), () -> convert(d.base().readOnlyBytes(k.source()),
                        k.dtype(), to)));
                if (k.dtype().isFloatingPoint()) {
                    parameters += elements(k.shape());
                }
            } else if (t instanceof Computed c) {
                tensors.add(new PendingTensor(c.name(), options.dtype(), c.shape(), () -> encode(c.values().get(),
                        options.dtype())));
                parameters += elements(c.shape());
            } else {
                Factored f = (Factored) t;
                if (options.dense()) {
                    tensors.add(new PendingTensor(f.module() + ".weight", options.dtype(), new long[] {f.rows(), f.cols()},
                            () -> encode(product(f, f.factors().get()), options.dtype())));
                    parameters += (long) f.rows() * f.cols();
                    continue;
                }
                // The two factors are written one after the other: the first computes both, the second takes the other.
                Factors[] held = new Factors[1];
                tensors.add(new PendingTensor(f.downName(), options.dtype(), f.downShape(), () -> {
                    progress.update(Double.NaN, "factorising " + f.module() + " at rank " + f.rank());
                    held[0] = f.factors().get();
                    return encode(held[0].down(), options.dtype());
                }));
                tensors.add(new PendingTensor(f.upName(), options.dtype(), f.upShape(), () -> {
                    ByteBuffer up = encode(held[0].up(), options.dtype());
                    held[0] = null;
                    return up;
                }));
                parameters += (long) f.rank() * (f.rows() + f.cols());
            }
        }
        return new Layout(custom ? Kind.REMOTE_CODE : Kind.PLAIN, tensors, shards(tensors, options.shardBytes()),
                parameters);
    }

    /** Consecutive groups of at most {@code limit} bytes each (a larger tensor alone); one group when all fit. */
    static List<List<PendingTensor>> shards(List<PendingTensor> tensors, long limit) {
        List<List<PendingTensor>> out = new ArrayList<>();
        List<PendingTensor> current = new ArrayList<>();
        long size = 0;
        for (PendingTensor t : tensors) {
            if (!current.isEmpty() && size + t.byteLength() > limit) {
                out.add(current);
                current = new ArrayList<>();
                size = 0;
            }
            current.add(t);
            size += t.byteLength();
        }
        if (!current.isEmpty() || out.isEmpty()) {
            out.add(current);
        }
        return out;
    }

    private static Result writeAll(LoadedModel original, Derived derived, CompressionPlan plan, Layout layout,
            ExportOptions options, Map<String, byte[]> extraFiles, Path temp, Path target, Progress progress) {
        Path source = original.folder();
        List<String> files = new ArrayList<>();
        long total = layout.weightBytes();
        AtomicLong done = new AtomicLong();
        int n = layout.shards.size();
        JsonObject weightMap = new JsonObject();
        for (int s = 0; s < n; s++) {
            String file = n == 1 ? Checkpoint.SINGLE_FILE : String.format(Locale.ROOT, "model-%05d-of-%05d.safetensors",
                    s + 1, n);
            SafetensorsWriter w = new SafetensorsWriter();
            for (PendingTensor t : layout.shards.get(s)) {
                w.add(new PendingTensor(t.name(), t.dtype(), t.shape(), tracked(t, done, total, progress)));
                weightMap.addProperty(t.name(), file);
            }
            w.write(temp.resolve(file)); // written beside as .partial, flushed, renamed
            files.add(file);
        }
        if (n > 1) {
            JsonObject index = new JsonObject();
            JsonObject meta = new JsonObject();
            meta.addProperty("total_size", total);
            index.add("metadata", meta);
            index.add("weight_map", weightMap);
            writeJson(temp.resolve(Checkpoint.INDEX_FILE), index);
            files.add(Checkpoint.INDEX_FILE);
        }
        progress.checkCancelled();
        writeJson(temp.resolve("config.json"), exportedConfig(derived, layout.kind, options));
        files.add("config.json");
        writeText(temp.resolve(PLAN_FILE), plan.toJsonString() + "\n");
        files.add(PLAN_FILE);
        if (layout.kind == Kind.REMOTE_CODE) {
            writeText(temp.resolve(MODELING_FILE), modelingCode());
            files.add(MODELING_FILE);
        }
        for (Path f : copiedFiles(source)) {
            copy(f, temp.resolve(f.getFileName().toString()));
            files.add(f.getFileName().toString());
        }
        for (Map.Entry<String, byte[]> e : extraFiles.entrySet()) {
            Path file = temp.resolve(e.getKey());
            try {
                Files.createDirectories(file.getParent());
                Files.write(file, e.getValue());
            } catch (IOException ex) {
                throw new UncheckedIOException(file + ": cannot write: " + ex.getMessage(), ex);
            }
            files.add(e.getKey());
        }
        long bytes = 0;
        for (String f : files) {
            try {
                bytes += Files.size(temp.resolve(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return new Result(target, layout.kind, bytes, List.copyOf(files), layout.parameters);
    }

    /** A tensor's bytes, asked for after a cancel check, with the progress advanced by its size. */
    private static Supplier<ByteBuffer> tracked(PendingTensor t, AtomicLong done, long total, Progress progress) {
        return () -> {
            progress.checkCancelled();
            ByteBuffer b = t.bytes().get();
            long now = done.addAndGet(t.byteLength());
            progress.update(total == 0 ? 1 : 0.98 * now / total, "wrote " + t.name());
            return b;
        };
    }

    /** The patched config with the export's dtype and, for custom code, {@code auto_map} and the class. */
    static JsonObject exportedConfig(Derived derived, Kind kind, ExportOptions options) {
        JsonObject config = derived.config();
        if (options.dense()) {
            config.remove("low_rank_ranks");
        }
        setDtype(config, options.torchDtype(), true);
        for (String sub : List.of("text_config", "vision_config")) {
            if (config.has(sub) && config.get(sub).isJsonObject()) {
                setDtype(config.getAsJsonObject(sub), options.torchDtype(), false);
            }
        }
        config.remove("auto_map");
        if (kind == Kind.REMOTE_CODE) {
            JsonObject autoMap = new JsonObject();
            autoMap.addProperty(AUTO_CLASS, MODELING_FILE.replace(".py", "") + "." + MODEL_CLASS);
            config.add("auto_map", autoMap);
            JsonArray architectures = new JsonArray();
            architectures.add(MODEL_CLASS);
            config.add("architectures", architectures);
        } else if (config.has("architectures") && config.get("architectures").toString().contains(MODEL_CLASS)) {
            JsonArray architectures = new JsonArray();
            architectures.add("LlavaForConditionalGeneration");
            config.add("architectures", architectures);
        }
        return config;
    }

    private static void setDtype(JsonObject o, String dtype, boolean always) {
        boolean set = false;
        for (String key : List.of("torch_dtype", "dtype")) {
            if (o.has(key)) {
                o.addProperty(key, dtype);
                set = true;
            }
        }
        if (!set && always) {
            o.addProperty("torch_dtype", dtype);
        }
    }

    /** The modeling file shipped in this build's resources. */
    public static String modelingCode() {
        try (InputStream in = ModelExporter.class.getResourceAsStream(MODELING_FILE)) {
            if (in == null) {
                throw new IllegalStateException(MODELING_FILE + " is missing from this build's resources");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The source's files that travel with the weights: tokenizer, processor, chat template, generation settings. */
    static List<Path> copiedFiles(Path source) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(source)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (!Files.isRegularFile(f) || name.startsWith(".") || NOT_COPIED.contains(name)
                        || WEIGHT_SUFFIXES.stream().anyMatch(name::endsWith)) {
                    continue;
                }
                out.add(f);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(source + ": cannot list the model folder: " + e.getMessage(), e);
        }
        out.sort(null);
        return out;
    }

    private static long copiedBytes(Path source) {
        long n = 0;
        for (Path f : copiedFiles(source)) {
            try {
                n += Files.size(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return n;
    }

    // ---- tensors ----

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Little-endian bytes of {@code from} as {@code to}: the same bytes when the types agree, else each value rounded. */
    static ByteBuffer convert(ByteBuffer bytes, DType from, DType to) {
        ByteBuffer src = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (from == to) {
            return src;
        }
        int n = src.remaining() / from.byteSize();
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(n, to.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            float v = switch (from) {
                case F32 -> src.getFloat();
                case F64 -> (float) src.getDouble();
                case BF16 -> BFloat16.widen(src.getShort());
                case F16 -> Float16.widen(src.getShort());
                default -> throw new IllegalArgumentException("cannot convert " + from + " to " + to);
            };
            switch (to) {
                case F32 -> out.putFloat(v);
                case BF16 -> out.putShort(BFloat16.round(v));
                case F16 -> out.putShort(Float16.round(v));
                default -> throw new IllegalArgumentException("cannot write floating-point values as " + to);
            }
        }
        return out.flip();
    }

    /** Float values as little-endian {@code dtype} bytes (16-bit types rounded to nearest even). */
    static ByteBuffer encode(float[] values, DType dtype) {
        ByteBuffer out = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        switch (dtype) {
            case F32 -> out.asFloatBuffer().put(values);
            case BF16 -> {
                for (float v : values) {
                    out.putShort(BFloat16.round(v));
                }
            }
            case F16 -> {
                for (float v : values) {
                    out.putShort(Float16.round(v));
                }
            }
            default -> throw new IllegalArgumentException("cannot write floating-point values as " + dtype);
        }
        return out.position(0).limit(out.capacity());
    }

    /** {@code up · down}, {@code [rows, cols]} float32, by the engine's matrix product. */
    private static float[] product(Factored f, Factors factors) {
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
            NDArray up = m.create(factors.up(), new Shape(f.rows(), f.rank()));
            NDArray down = m.create(factors.down(), new Shape(f.rank(), f.cols()));
            return up.matMul(down).toFloatArray();
        }
    }

    // ---- files ----

    /** Refuses a target that is, holds or sits inside the source, or exists without force (or is not a model folder). */
    /**
     * The checks an export makes before writing anything (the plan fits the model, the target may be
     * written), for a caller that has slow work to do first, such as a report: it fails before that work.
     */
    public static void checkBeforeWork(LoadedModel original, CompressionPlan plan, Path out, ExportOptions options) {
        plan.validate(PlanApplier.shapeOf(original));
        checkTarget(original.folder().toAbsolutePath().normalize(), out.toAbsolutePath().normalize(), options);
    }

    private static void checkTarget(Path source, Path target, ExportOptions options) {
        Path realSource = real(source);
        Path realTarget = real(target);
        if (realTarget.startsWith(realSource) || realSource.startsWith(realTarget)) {
            throw new IllegalArgumentException(target + ": the export must go outside the source model folder "
                    + source + " (and must not contain it); the source is never written");
        }
        if (target.getParent() == null) {
            throw new IllegalArgumentException(target + ": cannot export to a file-system root");
        }
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!options.force()) {
            throw new IllegalArgumentException(target + " already exists; pass --force to replace it (the old folder is "
                    + "replaced only once the new export is complete)");
        }
        if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new IllegalArgumentException(target + " exists and is not a folder; refusing to replace it");
        }
        boolean empty;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(target)) {
            empty = !s.iterator().hasNext();
        } catch (IOException e) {
            throw new UncheckedIOException(target + ": cannot read: " + e.getMessage(), e);
        }
        if (!empty && !Files.isRegularFile(target.resolve("config.json"))) {
            throw new IllegalArgumentException(target + " is not a model folder (no config.json) and not empty; "
                    + "--force replaces only a previous export, never other folders");
        }
    }

    /** The real path of {@code p}, or of its nearest existing ancestor with the rest appended. */
    private static Path real(Path p) {
        Path existing = p;
        Path rest = null;
        while (existing != null && !Files.exists(existing)) {
            rest = rest == null ? existing.getFileName() : existing.getFileName().resolve(rest);
            existing = existing.getParent();
        }
        try {
            Path r = existing == null ? p : existing.toRealPath();
            return rest == null ? r : r.resolve(rest);
        } catch (IOException e) {
            return p;
        }
    }

    /**
     * Cleans up after exports to {@code target} killed on the way by processes no longer alive: their
     * unfinished folders are deleted, and a previous folder renamed aside for a replace is put back
     * when the target is missing (else deleted: the replace had completed).
     */
    static void recover(Path target) throws IOException {
        Path parent = target.getParent();
        String name = target.getFileName().toString();
        String partial = "." + name + ".export-";
        String previous = "." + name + ".previous-";
        List<Path> leftovers = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(parent)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if ((n.startsWith(partial) || n.startsWith(previous)) && n.endsWith(PARTIAL)) {
                    leftovers.add(p);
                }
            }
        }
        for (Path p : leftovers) {
            String n = p.getFileName().toString();
            boolean isPrevious = n.startsWith(previous);
            String rest = n.substring((isPrevious ? previous : partial).length());
            long pid;
            try {
                pid = Long.parseLong(rest.split("[-.]")[0]);
            } catch (NumberFormatException e) {
                continue;
            }
            if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                continue; // another export is running
            }
            if (isPrevious && !Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.move(p, target, StandardCopyOption.ATOMIC_MOVE);
                syncFolder(parent);
            } else {
                deleteRecursively(p);
            }
        }
    }

    /** Renames the finished {@code temp} to {@code target}, replacing a previous folder only now. */
    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        Path parent = target.getParent();
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            syncFolder(parent);
            return;
        }
        Path previous = parent.resolve("." + target.getFileName() + ".previous-" + ProcessHandle.current().pid() + "-"
                + randomId() + PARTIAL);
        Files.move(target, previous, StandardCopyOption.ATOMIC_MOVE);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            Files.move(previous, target, StandardCopyOption.ATOMIC_MOVE);
            throw e;
        }
        syncFolder(parent);
        deleteRecursively(previous);
    }

    private static void writeJson(Path file, Object json) {
        writeText(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(json) + "\n");
    }

    /** Writes a new file and flushes it to disk. */
    private static void writeText(Path file, String text) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                ch.write(b);
            }
            ch.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": cannot write: " + e.getMessage(), e);
        }
    }

    private static void copy(Path from, Path to) {
        try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ);
                FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long size = in.size();
            long at = 0;
            while (at < size) {
                at += in.transferTo(at, size - at, out);
            }
            out.force(true);
        } catch (IOException e) {
            throw new UncheckedIOException(from + ": cannot copy into the export: " + e.getMessage(), e);
        }
    }

    /** Flushes a folder's entries (new names, renames) to disk where the platform allows it. */
    private static void syncFolder(Path folder) {
        try (FileChannel ch = FileChannel.open(folder, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Not every platform opens folders; the files themselves were flushed.
        }
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    if (e != null) {
                        throw e;
                    }
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(root + ": cannot delete: " + e.getMessage(), e);
        }
    }

    private static String randomId() {
        byte[] b = new byte[4];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
