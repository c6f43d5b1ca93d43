package org.lvlmworkbench.core.bench;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * The benchmark's results: medians per side, every figure as a ratio of this project to
 * transformers, roofline fractions, and the targets with PASS or FAIL (N/A where a figure is
 * missing, e.g. the transformers side was skipped). Rendered as a text table and as JSON.
 */
public final class BenchReport {

    /** The measured runs of one storage type: this project's, and transformers' per attention implementation. */
    public record DtypeRuns(DType dtype, Path folder, long fileBytes, List<RunResult> java,
            Map<String, List<RunResult>> transformers) {
    }

    /** The roofline measurements: through DJL (this project's engine) and through torch. */
    public record Roofline(RunResult java, RunResult torch) {

        private double max(String field) {
            double a = java == null ? Double.NaN : java.number(field);
            double b = torch == null ? Double.NaN : torch.number(field);
            if (Double.isNaN(a)) {
                return b;
            }
            return Double.isNaN(b) ? a : Math.max(a, b);
        }

        /** The best GEMM rate measured for computing in {@code dtype}, GFLOP/s. */
        public double gemm(DType dtype) {
            return max(dtype == DType.BF16 ? "gemm_bf16_gflops" : "gemm_f32_gflops");
        }

        /** The best mat-vec bandwidth measured for weights stored as {@code dtype}, GB/s. */
        public double matvec(DType dtype) {
            return max(dtype == DType.BF16 ? "matvec_bf16_gbps" : "matvec_f32_gbps");
        }
    }

    /** Medians of one side's runs. */
    public record Summary(int runs, int failed, double loadS, double prefillS, double prefillTps, double decodeTps,
            double peakRss, double rssAfterLoad, double activationBytes, double importS, double promptTokens,
            double images, List<Long> tokens, List<String> errors) {

        public static Summary of(List<RunResult> runs) {
            List<RunResult> ok = runs.stream().filter(RunResult::ok).toList();
            List<String> errors = runs.stream().filter(r -> !r.ok()).map(RunResult::error).toList();
            return new Summary(runs.size(), runs.size() - ok.size(), med(ok, r -> r.number("load_s")),
                    med(ok, r -> r.number("prefill_s")), med(ok, RunResult::prefillTokensPerSecond),
                    med(ok, RunResult::decodeTokensPerSecond), med(ok, r -> r.number("peak_rss_bytes")),
                    med(ok, r -> r.number("rss_after_load_bytes")), med(ok, r -> r.number("activation_bytes")),
                    med(ok, r -> r.number("import_s")), med(ok, r -> r.number("prompt_tokens")),
                    med(ok, r -> r.number("images")), ok.isEmpty() ? List.of() : ok.get(0).tokens(), errors);
        }

        private static double med(List<RunResult> runs, ToDoubleFunction<RunResult> f) {
            List<Double> v = new ArrayList<>();
            runs.forEach(r -> v.add(f.applyAsDouble(r)));
            return Stats.median(v).orElse(Double.NaN);
        }

        public boolean measured() {
            return runs > failed;
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            put(o, "load_s", loadS);
            put(o, "prefill_s", prefillS);
            put(o, "prefill_tokens_per_s", prefillTps);
            put(o, "decode_tokens_per_s", decodeTps);
            put(o, "peak_rss_bytes", peakRss);
            put(o, "rss_after_load_bytes", rssAfterLoad);
            put(o, "activation_bytes", activationBytes);
            put(o, "import_s", importS);
            return o;
        }
    }

    public enum Status { PASS, FAIL, NA }

    /** One of the targets: the measured value against its limit. */
    public record Target(String name, DType dtype, double value, double limit, boolean atLeast, String detail) {

        public Status status() {
            if (Double.isNaN(value) || Double.isNaN(limit)) {
                return Status.NA;
            }
            return (atLeast ? value >= limit : value <= limit) ? Status.PASS : Status.FAIL;
        }

        JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("name", name);
            o.addProperty("dtype", dtype.name());
            put(o, "value", value);
            put(o, "limit", limit);
            o.addProperty("comparison", atLeast ? ">=" : "<=");
            o.addProperty("status", status() == Status.NA ? "N/A" : status().name());
            o.addProperty("detail", detail);
            return o;
        }
    }

    private final BenchSettings settings;
    private final ModelCost cost;
    private final long parameters;
    private final JsonObject machine;
    private final PythonSide python;
    private final Roofline roofline;
    private final List<DtypeRuns> models;
    private final double wallSeconds;

    public BenchReport(BenchSettings settings, ModelCost cost, long parameters, JsonObject machine, PythonSide python,
            Roofline roofline, List<DtypeRuns> models, double wallSeconds) {
        this.settings = settings;
        this.cost = cost;
        this.parameters = parameters;
        this.machine = machine;
        this.python = python;
        this.roofline = roofline;
        this.models = List.copyOf(models);
        this.wallSeconds = wallSeconds;
    }

    /** The transformers runs every target compares with: eager attention, else the first one measured. */
    private static String reference(DtypeRuns m) {
        if (m.transformers().containsKey("eager")) {
            return "eager";
        }
        return m.transformers().keySet().stream().findFirst().orElse(null);
    }

    private Summary hf(DtypeRuns m, String attn) {
        List<RunResult> runs = attn == null ? null : m.transformers().get(attn);
        return runs == null ? Summary.of(List.of()) : Summary.of(runs);
    }

    double prefillGflops(Summary s) {
        return cost.prefillFlops(Math.round(s.promptTokens()), Math.round(s.images())) / s.prefillS() / 1e9;
    }

    double decodeGbps(Summary s, DType dtype) {
        return cost.decodeBytesPerToken(dtype.byteSize()) * s.decodeTps() / 1e9;
    }

    public List<Target> targets() {
        List<Target> out = new ArrayList<>();
        for (DtypeRuns m : models) {
            Summary j = Summary.of(m.java());
            String ref = reference(m);
            Summary h = hf(m, ref);
            String vs = "transformers " + (ref == null ? "(not run)" : ref);
            if (m.dtype() == DType.F32) {
                out.add(new Target("F32 prefill >= 1.0x transformers eager F32", m.dtype(),
                        j.prefillTps() / h.prefillTps(), 1.0, true, "prefill tokens/s, this project / " + vs));
                out.add(new Target("F32 decode >= 95% of measured mat-vec bandwidth", m.dtype(),
                        decodeGbps(j, m.dtype()) / roofline.matvec(DType.F32), 0.95, true,
                        "decode GB/s (weights streamed per token x tokens/s) / best f32 mat-vec GB/s"));
                out.add(new Target("F32 peak RSS <= 1.2x transformers", m.dtype(), j.peakRss() / h.peakRss(), 1.2,
                        false, "peak RSS (VmHWM), this project / " + vs));
            } else {
                out.add(new Target("BF16 load <= transformers", m.dtype(), j.loadS() / h.loadS(), 1.0, false,
                        "load seconds, this project / " + vs + " bf16"));
                out.add(new Target("BF16 decode >= transformers bf16", m.dtype(), j.decodeTps() / h.decodeTps(), 1.0,
                        true, "decode tokens/s, this project / " + vs + " bf16"));
                out.add(new Target("BF16 prefill >= 0.5x transformers bf16", m.dtype(), j.prefillTps() / h.prefillTps(),
                        0.5, true, "prefill tokens/s, this project / " + vs + " bf16"));
                out.add(new Target("BF16 peak RSS <= 1.2x transformers", m.dtype(), j.peakRss() / h.peakRss(), 1.2,
                        false, "peak RSS (VmHWM), this project / " + vs + " bf16"));
                out.add(new Target("BF16 resident <= 1.3x file + activations", m.dtype(),
                        j.peakRss() / (1.3 * m.fileBytes() + j.activationBytes()), 1.0, false,
                        "peak RSS / (1.3 x checkpoint bytes + the activation estimate)"));
            }
        }
        return out;
    }

    /** The report as the JSON written to {@code --json}. */
    public JsonObject toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("bench_version", 1);
        put(root, "wall_s", wallSeconds);
        root.add("machine", machine);
        JsonObject s = new JsonObject();
        s.addProperty("shape", settings.shape().option());
        s.addProperty("parameters", parameters);
        JsonArray dts = new JsonArray();
        settings.dtypes().forEach(d -> dts.add(d.name()));
        s.add("dtypes", dts);
        s.addProperty("runs", settings.runs());
        s.addProperty("prompt", settings.promptDescription());
        s.addProperty("prompt_tokens_option", settings.promptTokens());
        s.addProperty("new_tokens", settings.newTokens());
        s.addProperty("quick", settings.quick());
        JsonArray attn = new JsonArray();
        settings.attentions().forEach(attn::add);
        s.add("transformers_attention", attn);
        s.addProperty("work", settings.work().toString());
        root.add("settings", s);

        JsonObject tf = new JsonObject();
        tf.addProperty("available", python.available());
        tf.addProperty("python", python.python());
        tf.addProperty("versions", python.versions());
        tf.addProperty("skipped", python.skipped());
        root.add("transformers", tf);

        JsonObject roof = new JsonObject();
        roof.add("java_djl", runJson(roofline.java()));
        roof.add("torch", roofline.torch() == null ? skipped(python.skipped()) : runJson(roofline.torch()));
        put(roof, "gemm_f32_gflops", roofline.gemm(DType.F32));
        put(roof, "gemm_bf16_gflops", roofline.gemm(DType.BF16));
        put(roof, "matvec_f32_gbps", roofline.matvec(DType.F32));
        put(roof, "matvec_bf16_gbps", roofline.matvec(DType.BF16));
        root.add("roofline", roof);

        JsonArray ms = new JsonArray();
        for (DtypeRuns m : models) {
            JsonObject o = new JsonObject();
            o.addProperty("dtype", m.dtype().name());
            o.addProperty("folder", m.folder().toString());
            o.addProperty("file_bytes", m.fileBytes());
            Summary j = Summary.of(m.java());
            put(o, "prompt_tokens", j.promptTokens());
            put(o, "images", j.images());
            if (j.measured()) {
                put(o, "prefill_gflop", cost.prefillFlops(Math.round(j.promptTokens()), Math.round(j.images())) / 1e9);
            }
            put(o, "decode_bytes_per_token", cost.decodeBytesPerToken(m.dtype().byteSize()));
            o.add("java", sideJson(j, m.java(), m.dtype()));
            JsonObject hf = new JsonObject();
            if (m.transformers().isEmpty()) {
                hf.addProperty("skipped", python.skipped() == null ? "not run" : python.skipped());
            }
            JsonObject ratios = new JsonObject();
            JsonObject same = new JsonObject();
            for (Map.Entry<String, List<RunResult>> e : m.transformers().entrySet()) {
                Summary h = Summary.of(e.getValue());
                hf.add(e.getKey(), sideJson(h, e.getValue(), m.dtype()));
                JsonObject r = new JsonObject();
                put(r, "load_s", j.loadS() / h.loadS());
                put(r, "prefill_tokens_per_s", j.prefillTps() / h.prefillTps());
                put(r, "decode_tokens_per_s", j.decodeTps() / h.decodeTps());
                put(r, "peak_rss_bytes", j.peakRss() / h.peakRss());
                ratios.add(e.getKey(), r);
                if (j.measured() && h.measured()) {
                    same.addProperty(e.getKey(), j.tokens().equals(h.tokens()));
                }
            }
            o.add("transformers", hf);
            o.add("ratios_this_over_transformers", ratios);
            o.add("same_tokens", same);
            ms.add(o);
        }
        root.add("models", ms);
        JsonArray ts = new JsonArray();
        targets().forEach(t -> ts.add(t.toJson()));
        root.add("targets", ts);
        root.addProperty("table", table());
        return root;
    }

    private JsonObject sideJson(Summary s, List<RunResult> runs, DType dtype) {
        JsonObject o = new JsonObject();
        o.add("median", s.toJson());
        if (s.measured()) {
            put(o.getAsJsonObject("median"), "prefill_gflops", prefillGflops(s));
            put(o.getAsJsonObject("median"), "prefill_fraction_of_gemm", prefillGflops(s) / roofline.gemm(dtype));
            put(o.getAsJsonObject("median"), "decode_gbps", decodeGbps(s, dtype));
            put(o.getAsJsonObject("median"), "decode_fraction_of_matvec", decodeGbps(s, dtype) / roofline.matvec(dtype));
        }
        JsonArray rs = new JsonArray();
        runs.forEach(r -> rs.add(runJson(r)));
        o.add("runs", rs);
        return o;
    }

    private static JsonElement runJson(RunResult r) {
        if (r == null) {
            return JsonNull.INSTANCE;
        }
        if (r.ok()) {
            return r.json();
        }
        JsonObject o = new JsonObject();
        o.addProperty("error", r.error());
        return o;
    }

    private static JsonObject skipped(String why) {
        JsonObject o = new JsonObject();
        o.addProperty("skipped", why == null ? "not run" : why);
        return o;
    }

    static void put(JsonObject o, String key, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(key, v);
        } else {
            o.add(key, JsonNull.INSTANCE);
        }
    }

    public String toJsonText() {
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(toJson())
                + "\n";
    }

    // ---- the text table ----

    public String table() {
        StringBuilder b = new StringBuilder();
        Summary first = models.isEmpty() ? null : Summary.of(models.get(0).java());
        b.append(String.format(Locale.ROOT, "bench: %s (%,d parameters), %s%s, %d new tokens, %d run%s each, medians; "
                        + "%s cores, wall %.0f s%n", settings.shape().option(), parameters, settings.promptDescription(),
                first != null && first.measured() ? String.format(Locale.ROOT, " (%d tokens, %d image%s)",
                        Math.round(first.promptTokens()), Math.round(first.images()), first.images() == 1 ? "" : "s") : "",
                settings.newTokens(), settings.runs(), settings.runs() == 1 ? "" : "s",
                machine.has("cores") ? machine.get("cores").getAsString() : "?", wallSeconds));
        b.append("transformers: ").append(python.available() ? python.versions() : "skipped: " + python.skipped())
                .append('\n');
        if (machine.has("load_average_start") && machine.has("load_average_end")) {
            double cores = machine.has("cores") ? machine.get("cores").getAsDouble() : Double.NaN;
            double worst = Math.max(machine.get("load_average_start").getAsDouble(),
                    machine.get("load_average_end").getAsDouble());
            // The bench itself keeps about one runnable thread per core busy.
            b.append(String.format(Locale.ROOT, "load average %.2f at the start, %.2f at the end%s%n",
                    machine.get("load_average_start").getAsDouble(), machine.get("load_average_end").getAsDouble(),
                    worst > cores + 1 ? " (well above the core count: other work competed for the cores, figures are "
                            + "noisy)" : ""));
        }
        b.append('\n');
        b.append(String.format(Locale.ROOT, "%-36s %12s %12s%n", "roofline", "DJL (this)", "torch"));
        roofRow(b, "GEMM 2048^3 f32 GFLOP/s", "gemm_f32_gflops", "%.1f");
        roofRow(b, "GEMM 2048^3 bf16 GFLOP/s", "gemm_bf16_gflops", "%.1f");
        roofRow(b, "mat-vec f32 GB/s", "matvec_f32_gbps", "%.2f");
        roofRow(b, "mat-vec bf16 GB/s", "matvec_bf16_gbps", "%.2f");
        if (roofline.java() != null && !roofline.java().ok()) {
            b.append("  DJL roofline failed: ").append(roofline.java().error()).append('\n');
        }
        if (roofline.torch() != null && !roofline.torch().ok()) {
            b.append("  torch roofline failed: ").append(roofline.torch().error()).append('\n');
        }
        for (DtypeRuns m : models) {
            b.append('\n');
            tableFor(b, m);
        }
        b.append('\n').append("targets\n");
        for (Target t : targets()) {
            b.append(String.format(Locale.ROOT, "  %-5s %-50s %s%n", t.status() == Status.NA ? "N/A" : t.status(),
                    t.name(), Double.isNaN(t.value()) ? "(not measured)"
                            : String.format(Locale.ROOT, "%.3f (limit %s %.2f)", t.value(), t.atLeast() ? ">=" : "<=",
                                    t.limit())));
        }
        return b.toString();
    }

    private void roofRow(StringBuilder b, String label, String field, String fmt) {
        double j = roofline.java() == null ? Double.NaN : roofline.java().number(field);
        double t = roofline.torch() == null ? Double.NaN : roofline.torch().number(field);
        b.append(String.format(Locale.ROOT, "  %-34s %12s %12s%n", label, num(fmt, j), num(fmt, t)));
    }

    private void tableFor(StringBuilder b, DtypeRuns m) {
        Summary j = Summary.of(m.java());
        Map<String, Summary> hfs = new LinkedHashMap<>();
        m.transformers().forEach((k, v) -> hfs.put(k, Summary.of(v)));
        StringBuilder head = new StringBuilder(String.format(Locale.ROOT, "%-36s %12s", m.dtype() + " checkpoint ("
                + String.format(Locale.ROOT, "%.2f GB", m.fileBytes() / 1e9) + ")", "this project"));
        for (String k : hfs.keySet()) {
            head.append(String.format(Locale.ROOT, " %12s %8s", "tf " + k, "ratio"));
        }
        b.append(head).append('\n');
        row(b, "load s (lower is better)", j, hfs, Summary::loadS, "%.2f");
        row(b, "prefill s", j, hfs, Summary::prefillS, "%.2f");
        row(b, "prefill tokens/s", j, hfs, Summary::prefillTps, "%.1f");
        row(b, "prefill GFLOP/s", j, hfs, this::prefillGflops, "%.1f");
        row(b, "  fraction of " + m.dtype().name().toLowerCase(Locale.ROOT) + " GEMM", j, hfs,
                s -> prefillGflops(s) / roofline.gemm(m.dtype()), "%.2f");
        row(b, "decode tokens/s", j, hfs, Summary::decodeTps, "%.2f");
        row(b, "decode GB/s", j, hfs, s -> decodeGbps(s, m.dtype()), "%.2f");
        row(b, "  fraction of " + m.dtype().name().toLowerCase(Locale.ROOT) + " mat-vec", j, hfs,
                s -> decodeGbps(s, m.dtype()) / roofline.matvec(m.dtype()), "%.2f");
        row(b, "peak RSS GiB (lower is better)", j, hfs, s -> s.peakRss() / (1L << 30), "%.2f");
        row(b, "RSS after load GiB", j, hfs, s -> s.rssAfterLoad() / (1L << 30), "%.2f");
        if (!hfs.isEmpty()) {
            StringBuilder same = new StringBuilder(String.format(Locale.ROOT, "  %-34s %12s", "same tokens", ""));
            for (Summary h : hfs.values()) {
                same.append(String.format(Locale.ROOT, " %12s %8s", j.measured() && h.measured()
                        ? (j.tokens().equals(h.tokens()) ? "yes" : "no") : "-", ""));
            }
            b.append(same).append('\n');
        }
        if (m.transformers().isEmpty()) {
            b.append("  transformers: skipped: ").append(python.skipped() == null ? "not run" : python.skipped())
                    .append('\n');
        }
        if (j.measured()) {
            b.append(String.format(Locale.ROOT, "  (activation estimate %.2f GiB; prefill %.1f GFLOP, decode %.2f GB "
                    + "of weights per token)%n", j.activationBytes() / (1L << 30),
                    cost.prefillFlops(Math.round(j.promptTokens()), Math.round(j.images())) / 1e9,
                    cost.decodeBytesPerToken(m.dtype().byteSize()) / 1e9));
        }
        j.errors().forEach(e -> b.append("  this project run failed: ").append(e).append('\n'));
        hfs.forEach((k, h) -> h.errors().forEach(e -> b.append("  transformers ").append(k).append(" run failed: ")
                .append(e).append('\n')));
    }

    private static void row(StringBuilder b, String label, Summary j, Map<String, Summary> hfs,
            ToDoubleFunction<Summary> f, String fmt) {
        double jv = j.measured() ? f.applyAsDouble(j) : Double.NaN;
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-34s %12s", label, num(fmt, jv)));
        for (Summary h : hfs.values()) {
            double hv = h.measured() ? f.applyAsDouble(h) : Double.NaN;
            line.append(String.format(Locale.ROOT, " %12s %8s", num(fmt, hv), num("%.2f", jv / hv)));
        }
        b.append(line).append('\n');
    }

    private static String num(String fmt, double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, fmt, v) : "-";
    }
}
