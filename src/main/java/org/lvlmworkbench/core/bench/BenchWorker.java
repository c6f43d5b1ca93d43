package org.lvlmworkbench.core.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.ActivationMemory;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.SafetensorsFile;
import org.lvlmworkbench.core.safetensors.SafetensorsWriter;

/**
 * The child process of {@code lvlm bench}: one measurement per JVM, so load time and peak memory are
 * those of a fresh process, printed as one line {@code BENCH-RESULT {json}} on stdout.
 *
 * <pre>
 *   BenchWorker run --model DIR --inputs FILE --new-tokens N [--prompt-tokens N | --image FILE] [--question TEXT]
 *   BenchWorker roofline [--gemm-n 2048] [--matvec-mb 768]
 * </pre>
 *
 * {@code run} opens the folder with {@link ModelLoader} (timed: the load), reads the prompt's token ids
 * and pixel values from {@code --inputs} (or, when the file is missing, makes them with the model's
 * processor and writes them there, so every later run, Java or Python, runs the identical prompt), then
 * generates exactly N tokens greedily with {@link Generator#generate} (end-of-sequence ignored) and
 * reports its prefill and decode times, the tokens, and the process's peak resident memory (VmHWM).
 */
public final class BenchWorker {

    /** Prefix of the one result line a child prints. */
    public static final String RESULT_PREFIX = "BENCH-RESULT ";

    static final String QUESTION = "what color is the circle?";
    private static final String[] FILLER = "the square is blue and the triangle is left of the circle".split(" ");

    private BenchWorker() {
    }

    public static void main(String[] args) {
        try {
            Map<String, String> a = options(args, 1);
            JsonObject result = switch (args.length == 0 ? "" : args[0]) {
                case "run" -> run(a);
                case "roofline" -> Roofline.measureDjl(Integer.parseInt(a.getOrDefault("gemm-n", "2048")),
                        Integer.parseInt(a.getOrDefault("matvec-mb", "768")));
                default -> throw new IllegalArgumentException("usage: BenchWorker run|roofline [--option value]...");
            };
            result.addProperty("peak_rss_bytes", ProcStatus.bytes("VmHWM"));
            System.out.println(RESULT_PREFIX + result);
            System.out.flush();
            System.exit(0);
        } catch (Throwable e) {
            System.err.println("error: " + e);
            if (Boolean.getBoolean("lvlm.debug")) {
                e.printStackTrace();
            }
            System.exit(1);
        }
    }

    static Map<String, String> options(String[] args, int from) {
        Map<String, String> m = new HashMap<>();
        for (int i = from; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
            }
            m.put(args[i].substring(2), args[++i]);
        }
        return m;
    }

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    static JsonObject run(Map<String, String> a) {
        Path folder = Path.of(required(a, "model"));
        Path inputsFile = Path.of(required(a, "inputs"));
        int newTokens = Integer.parseInt(required(a, "new-tokens"));
        // Starting the engine (loading libtorch) is the counterpart of Python's `import torch`, which the
        // transformers side reports apart from from_pretrained: it is timed apart here too.
        long e0 = System.nanoTime();
        try (NDManager warm = NDManager.newBaseManager(ai.djl.Device.cpu(), "PyTorch")) {
            warm.zeros(new Shape(1)).close();
        }
        double engineSeconds = (System.nanoTime() - e0) / 1e9;
        long t0 = System.nanoTime();
        try (LoadedModel loaded = ModelLoader.load(folder)) {
            double loadSeconds = (System.nanoTime() - t0) / 1e9;
            long rssAfterLoad = ProcStatus.bytes("VmRSS");
            try (NDManager scope = loaded.model().manager().newSubManager()) {
                Inputs inputs = Files.isRegularFile(inputsFile) ? Inputs.read(inputsFile)
                        : Inputs.make(loaded, a, scope).writeTo(inputsFile);
                NDArray pixels = inputs.pixelShape() == null ? null
                        : scope.create(inputs.pixels(), new Shape(inputs.pixelShape()));
                long images = inputs.pixelShape() == null ? 0 : inputs.pixelShape()[0];
                // Exactly N tokens whatever the model picks: no end-of-sequence ids.
                LoadedModel noEos = new LoadedModel(loaded.folder(), loaded.family(), loaded.model(), loaded.tokenizer(),
                        loaded.processor(), loaded.chatTemplate(), List.of(), loaded.warnings());
                GenerationResult r = Generator.generate(noEos, inputs.ids(), pixels, GenerationSettings.greedy(newTokens),
                        Hooks.NONE, null);
                JsonObject o = new JsonObject();
                o.addProperty("side", "java");
                o.addProperty("threads", Runtime.getRuntime().availableProcessors());
                o.addProperty("load_s", loadSeconds);
                o.addProperty("engine_start_s", engineSeconds);
                o.addProperty("prefill_s", r.prefillNanos() / 1e9);
                o.addProperty("decode_s", r.decodeNanos() / 1e9);
                o.addProperty("prompt_tokens", inputs.ids().length);
                o.addProperty("new_tokens", r.newIds().length);
                o.addProperty("images", images);
                JsonArray tokens = new JsonArray();
                for (long id : r.newIds()) {
                    tokens.add(id);
                }
                o.add("tokens", tokens);
                o.addProperty("rss_after_load_bytes", rssAfterLoad);
                o.addProperty("activation_bytes", ActivationMemory.estimate(loaded.model(), inputs.ids().length,
                        newTokens, images, Hooks.NONE).total());
                o.addProperty("java", System.getProperty("java.version"));
                return o;
            }
        }
    }

    /** The prompt both sides run: token ids {@code [1, T]} and, with an image, pixel values {@code [1, 3, H, W]}. */
    record Inputs(long[] ids, float[] pixels, long[] pixelShape, String question) {

        /** Encodes the prompt with the model's own processor. */
        static Inputs make(LoadedModel m, Map<String, String> a, NDManager scope) {
            String question = a.getOrDefault("question", QUESTION);
            int promptTokens = Integer.parseInt(a.getOrDefault("prompt-tokens", "0"));
            if (promptTokens > 0) {
                return textPrompt(m, question, promptTokens);
            }
            if (!a.containsKey("image")) {
                throw new IllegalArgumentException("--image or --prompt-tokens is required to make the inputs");
            }
            RgbImage image = RgbImage.read(Path.of(a.get("image")));
            long[] ids = m.processor().encode(question, 1);
            NDArray px = m.processor().pixelValues(List.of(image), scope);
            Inputs in = new Inputs(ids, px.toFloatArray(), px.getShape().getShape(), question);
            px.close();
            return in;
        }

        /**
         * A text prompt of {@code target} tokens: the question after as many filler words as it takes
         * (one token each with a word-level tokenizer; re-measured, so any tokenizer converges).
         */
        static Inputs textPrompt(LoadedModel m, String question, int target) {
            int words = 0;
            long[] best = null;
            String bestText = question;
            for (int attempt = 0; attempt < 40; attempt++) {
                StringBuilder q = new StringBuilder();
                for (int i = 0; i < words; i++) {
                    q.append(FILLER[i % FILLER.length]).append(' ');
                }
                q.append(question);
                long[] ids = m.processor().encode(q.toString(), 0);
                if (best == null || Math.abs(ids.length - target) < Math.abs(best.length - target)) {
                    best = ids;
                    bestText = q.toString();
                }
                if (ids.length == target) {
                    break;
                }
                int step = target - ids.length;
                words = Math.max(0, words + (Math.abs(step) > 1 ? step : Integer.signum(step)));
            }
            return new Inputs(best, null, null, bestText);
        }

        Inputs writeTo(Path file) {
            SafetensorsWriter w = new SafetensorsWriter().metadata("question", question);
            ByteBuffer idBytes = ByteBuffer.allocate(ids.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long id : ids) {
                idBytes.putLong(id);
            }
            w.add("input_ids", DType.I64, new long[] {1, ids.length}, idBytes.flip());
            if (pixels != null) {
                ByteBuffer px = ByteBuffer.allocate(pixels.length * 4).order(ByteOrder.LITTLE_ENDIAN);
                px.asFloatBuffer().put(pixels);
                w.add("pixel_values", DType.F32, pixelShape, px);
            }
            w.write(file);
            return this;
        }

        static Inputs read(Path file) {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                ByteBuffer idBytes = f.bytes("input_ids").order(ByteOrder.LITTLE_ENDIAN);
                long[] ids = new long[idBytes.remaining() / 8];
                idBytes.asLongBuffer().get(ids);
                float[] pixels = null;
                long[] shape = null;
                if (f.contains("pixel_values")) {
                    ByteBuffer px = f.bytes("pixel_values").order(ByteOrder.LITTLE_ENDIAN);
                    pixels = new float[px.remaining() / 4];
                    px.asFloatBuffer().get(pixels);
                    shape = f.entry("pixel_values").shape();
                }
                return new Inputs(ids, pixels, shape, f.metadata().getOrDefault("question", ""));
            }
        }
    }

    /** The machine's rates through DJL: used by the {@code roofline} mode. */
    static final class Roofline {

        private Roofline() {
        }

        /** f32 GEMM GFLOP/s ({@code n}³) and f32 mat-vec GB/s over weights cycling through {@code matvecMb} MB. */
        static JsonObject measureDjl(int n, int matvecMb) {
            JsonObject o = new JsonObject();
            o.addProperty("side", "java");
            o.addProperty("gemm_n", n);
            try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch")) {
                NDArray a = m.randomNormal(new Shape(n, n));
                NDArray b = m.randomNormal(new Shape(n, n));
                List<Double> times = new ArrayList<>();
                for (int i = 0; i < 12; i++) {
                    long t = System.nanoTime();
                    a.matMul(b).close();
                    if (i >= 2) {
                        times.add((System.nanoTime() - t) / 1e9);
                    }
                }
                o.addProperty("gemm_f32_gflops", 2.0 * n * n * n / Stats.median(times).orElseThrow() / 1e9);
                a.close();
                b.close();

                int rows = 5632;
                int cols = 2048;
                long per = (long) rows * cols * 4;
                int count = (int) Math.max(2, (matvecMb * 1_000_000L + per - 1) / per);
                List<NDArray> weights = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    weights.add(m.randomUniform(-1, 1, new Shape(rows, cols)));
                }
                NDArray x = m.randomNormal(new Shape(1, cols));
                List<Double> cycles = new ArrayList<>();
                for (int rep = 0; rep < 6; rep++) {
                    long t = System.nanoTime();
                    for (NDArray w : weights) {
                        ai.djl.nn.core.Linear.linear(x, w, null).close();
                    }
                    if (rep >= 1) {
                        cycles.add((System.nanoTime() - t) / 1e9);
                    }
                }
                o.addProperty("matvec_f32_gbps", count * per / Stats.median(cycles).orElseThrow() / 1e9);
                o.addProperty("matvec_f32_bytes", count * per);
            }
            o.addProperty("threads", Runtime.getRuntime().availableProcessors());
            return o;
        }
    }
}
