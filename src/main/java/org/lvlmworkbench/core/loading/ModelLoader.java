package org.lvlmworkbench.core.loading;

import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.model.Processor;
import org.lvlmworkbench.core.nn.WeightException;
import org.lvlmworkbench.core.nn.Bf16Gemm;
import org.lvlmworkbench.core.nn.WeightLoader;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.lvlmworkbench.core.model.ArchitectureFamily;
import org.lvlmworkbench.core.arch.Architectures;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.config.JsonFields;
import org.lvlmworkbench.core.processing.ChatTemplate;
import org.lvlmworkbench.core.processing.TextTokenizer;
import org.lvlmworkbench.core.safetensors.Checkpoint;

/** Opens a Hugging Face model folder: configuration, weights, tokenizer, image processor, template. */
public final class ModelLoader {

    /** Buffers some exporters save beside the weights; they are recomputed, never read. */
    private static final Set<String> IGNORED_SUFFIXES = Set.of("rotary_emb.inv_freq", "embeddings.position_ids");

    private ModelLoader() {
    }

    public static LoadedModel load(Path folder) {
        return load(folder, Devices.fromSetting());
    }

    public static LoadedModel load(Path folder, Device device) {
        if (!Files.isDirectory(folder)) {
            throw new ConfigException(folder, null, "is not a model folder (it does not exist or is not a directory)");
        }
        JsonFields config = JsonFields.read(folder.resolve("config.json"));
        return load(folder, config, Checkpoint.open(folder), device);
    }

    /**
     * Builds a model from a configuration and a checkpoint that may differ from the folder's own, e.g.
     * a compression plan's patched config and its derived checkpoint (see
     * {@link Checkpoint#derived}): the same constructors, checks and processor as a folder on disk.
     * The tokenizer, image processor and template come from {@code folder}. Closes {@code checkpoint}
     * (the weights it mapped stay mapped).
     */
    public static LoadedModel load(Path folder, JsonFields config, Checkpoint opened, Device device) {
        ArchitectureFamily family;
        try {
            family = Architectures.forConfig(config);
        } catch (RuntimeException e) {
            opened.close();
            throw e;
        }
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        LanguageModel model = null;
        TextTokenizer tokenizer = null;
        // The tokenizer (its native parse and the scan for its largest id) loads on another core while
        // the weights are mapped: together they were most of the time to open a model.
        CompletableFuture<TextTokenizer> tokenizerLoad = CompletableFuture.supplyAsync(() -> {
            TextTokenizer t = TextTokenizer.load(folder);
            try {
                t.maxId();
            } catch (RuntimeException reportedLater) {
                // checkFits reads it again and refuses the folder, naming the field, where that belongs.
            }
            return t;
        }, ModelLoader::startDaemon);
        try (Checkpoint checkpoint = opened) {
            MemoryBudget.check(checkpoint, device);
            List<String> warnings = new CopyOnWriteArrayList<>();
            List<Runnable> scans = new ArrayList<>();
            model = WeightLoader.collecting(warnings, "load".equals(WEIGHT_SCAN) ? null : scans,
                    () -> family.build(config, checkpoint, manager));
            checkUnused(checkpoint, model);
            tokenizer = joined(tokenizerLoad);
            ChatTemplate template = ChatTemplate.find(folder).orElse(null);
            Processor processor = family.processor(folder, config, model, tokenizer, template);
            if (WeightLoader.mapsMatrices(device)
                    && model.components().stream().anyMatch(c -> c.storedDtype().equals("BF16"))) {
                // Its prefills will want oneDNN: load the library now, after the model is open, not in its way.
                Bf16Gemm.warmUpInBackground();
            }
            return new LoadedModel(folder, family, model, tokenizer, processor, template, eosTokenIds(folder, config),
                    warnings, startScan(scans));
        } catch (RuntimeException e) {
            if (tokenizer != null) {
                tokenizer.close();
            } else {
                tokenizerLoad.thenAccept(TextTokenizer::close);
            }
            manager.close();
            throw e;
        }
    }

    private static void startDaemon(Runnable task) {
        Thread t = new Thread(task, "tokenizer-load");
        t.setDaemon(true);
        t.start();
    }

    /** The value of {@code f}, or the exception it ended with, unwrapped (it names the file and field). */
    private static <T> T joined(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }

    /**
     * When mapped weights are checked for NaN and infinite values: {@code background} (the default: a
     * daemon thread reads them after loading returns, so a 14 GB model opens in seconds), {@code load}
     * (before loading returns) or {@code off}; set with {@code -Dlvlm.weightScan}.
     */
    private static final String WEIGHT_SCAN = System.getProperty("lvlm.weightScan", "background");

    private static CompletableFuture<Void> startScan(List<Runnable> scans) {
        if (scans.isEmpty() || "off".equals(WEIGHT_SCAN)) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> scans.forEach(Runnable::run), runnable -> {
            Thread t = new Thread(runnable, "weight-scan");
            t.setDaemon(true);
            t.setPriority(Thread.MIN_PRIORITY);
            t.start();
        });
    }

    private static void checkUnused(Checkpoint checkpoint, LanguageModel model) {
        Set<String> used = model.parameterSizes().keySet();
        List<String> unused = checkpoint.names().stream()
                .filter(n -> !used.contains(n))
                .filter(n -> IGNORED_SUFFIXES.stream().noneMatch(n::endsWith))
                .collect(Collectors.toList());
        if (!unused.isEmpty()) {
            throw new WeightException(checkpoint.folder(), unused.get(0), "is not used by the " + model.modelType()
                    + " architecture (" + unused.size() + " such tensors: "
                    + unused.stream().limit(5).collect(Collectors.joining(", "))
                    + "): the checkpoint does not match its config.json");
        }
    }


    /** generation_config.json first, as transformers' generate() reads it, then config.json. */
    static List<Long> eosTokenIds(Path folder, JsonFields config) {
        List<Integer> ids = new ArrayList<>();
        Path gen = folder.resolve("generation_config.json");
        if (Files.isRegularFile(gen)) {
            ids.addAll(JsonFields.read(gen).integers("eos_token_id"));
        }
        if (ids.isEmpty()) {
            ids.addAll(config.integers("eos_token_id"));
        }
        if (ids.isEmpty() && config.has("text_config")) {
            ids.addAll(config.object("text_config").integers("eos_token_id"));
        }
        return ids.stream().map(Integer::longValue).collect(Collectors.toList());
    }

    /** Total parameter count, counting tied tensors once. */
    public static long parameterCount(LanguageModel model) {
        long n = 0;
        for (long size : model.parameterSizes().values()) {
            n += size;
        }
        return n;
    }
}
