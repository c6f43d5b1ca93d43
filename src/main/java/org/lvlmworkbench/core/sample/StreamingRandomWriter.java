package org.lvlmworkbench.core.sample;

import com.google.gson.JsonObject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.export.DiskSpace;
import org.lvlmworkbench.core.export.WeightsWriter;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.SafetensorsWriter;

/**
 * Writes a real-size random LLaVA checkpoint (billions of parameters) without holding it in memory:
 * tensors are generated one at a time, in checkpoint order, by all cores into a small pool of
 * reusable buffers, while the previous tensor is being written; each shard goes through
 * {@link SafetensorsWriter} (atomic, fsynced), shards of at most {@link #MAX_SHARD_BYTES} with
 * {@code model.safetensors.index.json}, as transformers' {@code save_pretrained} does. Memory is three
 * buffers of the largest tensor (0.8 GB for LLaVA-1.5-7B in BF16), whatever the model's size.
 *
 * <p>Initialisation as transformers' {@code _init_weights} for Llama and LLaVA: every matrix and
 * embedding normal with standard deviation {@link #STD}, norm scales one, biases zero. Values are a
 * function of the seed and each tensor's position in the checkpoint, so the F32 and BF16 copies of
 * a shape hold the same weights (the BF16 ones rounded), in every layout.
 */
public final class StreamingRandomWriter {

    /** transformers' default {@code max_shard_size} ("5GB"). */
    public static final long MAX_SHARD_BYTES = 5_000_000_000L;
    /** transformers' {@code initializer_range} for Llama and LLaVA. */
    public static final double STD = 0.02;

    private static final int CHUNK_ELEMENTS = 1 << 18;
    private static final int BUFFERS = 3;
    private static final long PROGRESS_NANOS = 2_000_000_000L;

    /** How a tensor starts. */
    public enum Init { NORMAL, ONES, ZEROS }

    /** One tensor of the plan: its position in the checkpoint (which seeds it), name, shape, type and start. */
    public record TensorPlan(int index, String name, long[] shape, DType dtype, Init init) {

        public long elements() {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            return n;
        }

        public long bytes() {
            return elements() * dtype.byteSize();
        }
    }

    /** One file of the checkpoint and the tensors it holds, in order. */
    public record ShardPlan(String file, List<TensorPlan> tensors) {

        public long bytes() {
            return tensors.stream().mapToLong(TensorPlan::bytes).sum();
        }
    }

    /** What will be written, computed before anything is. */
    public record Plan(List<TensorPlan> tensors, List<ShardPlan> shards) {

        public long dataBytes() {
            return tensors.stream().mapToLong(TensorPlan::bytes).sum();
        }

        public long parameters() {
            return tensors.stream().mapToLong(TensorPlan::elements).sum();
        }

        public long maxTensorBytes() {
            return tensors.stream().mapToLong(TensorPlan::bytes).max().orElse(0);
        }

        /**
         * The folder's size on disk, from above: tensor data, each file's JSON header (about 100 bytes
         * and the name per tensor), the index, and the configuration and tokenizer files (a tokenizer
         * of {@code vocab} entries is under 40 bytes an entry).
         */
        public long estimatedFolderBytes(int vocab) {
            long headers = 0;
            for (TensorPlan t : tensors) {
                headers += 128 + 2L * t.name().length();
            }
            return dataBytes() + headers + 8L * shards.size() + 64L * vocab + (1L << 20);
        }
    }

    private StreamingRandomWriter() {
    }

    /** The start of the tensor called {@code name}: norm scales one, biases zero, the rest random. */
    static Init initOf(String name) {
        if (name.endsWith(".bias")) {
            return Init.ZEROS;
        }
        if (name.contains("norm")) {
            return Init.ONES;
        }
        return Init.NORMAL;
    }

    /**
     * Plans a checkpoint of {@code spec} with {@code vocab} rows of embeddings and LM head. With
     * {@code shards} 0, files of at most {@code maxShardBytes} (a tensor larger than that gets a file of
     * its own); otherwise exactly {@code shards} files of about equal size.
     */
    public static Plan plan(LlavaSpec spec, LlavaKeyLayout layout, int vocab, DType dtype, int shards,
            long maxShardBytes) {
        if (dtype != DType.F32 && dtype != DType.F16 && dtype != DType.BF16) {
            throw new IllegalArgumentException("random weights are written as F32, F16 or BF16, not " + dtype);
        }
        if (shards < 0) {
            throw new IllegalArgumentException("--shards must be at least 1, got " + shards);
        }
        List<TensorPlan> tensors = new ArrayList<>();
        for (Map.Entry<String, long[]> e : LlavaFolderWriter.tensorShapes(spec, layout, vocab).entrySet()) {
            tensors.add(new TensorPlan(tensors.size(), e.getKey(), e.getValue(), dtype, initOf(e.getKey())));
        }
        List<List<TensorPlan>> groups = new ArrayList<>();
        if (shards == 0) {
            List<TensorPlan> current = new ArrayList<>();
            long size = 0;
            for (TensorPlan t : tensors) {
                if (!current.isEmpty() && size + t.bytes() > maxShardBytes) {
                    groups.add(current);
                    current = new ArrayList<>();
                    size = 0;
                }
                current.add(t);
                size += t.bytes();
            }
            groups.add(current);
        } else {
            long total = tensors.stream().mapToLong(TensorPlan::bytes).sum();
            for (int s = 0; s < shards; s++) {
                groups.add(new ArrayList<>());
            }
            long offset = 0;
            for (TensorPlan t : tensors) {
                // By the middle of the tensor's byte range, so each file gets about total / shards bytes.
                double mid = offset + t.bytes() / 2.0;
                groups.get((int) Math.min(shards - 1, Math.floor(mid * shards / Math.max(1, total)))).add(t);
                offset += t.bytes();
            }
            for (int s = 0; s < shards; s++) {
                if (groups.get(s).isEmpty()) {
                    throw new IllegalArgumentException("--shards " + shards + " is more files than this model's "
                            + tensors.size() + " tensors fill; use fewer");
                }
            }
        }
        List<ShardPlan> out = new ArrayList<>();
        for (int s = 0; s < groups.size(); s++) {
            String file = groups.size() == 1 ? Checkpoint.SINGLE_FILE
                    : String.format("model-%05d-of-%05d.safetensors", s + 1, groups.size());
            out.add(new ShardPlan(file, List.copyOf(groups.get(s))));
        }
        return new Plan(List.copyOf(tensors), List.copyOf(out));
    }

    /**
     * Writes the whole folder (configuration, tokenizer, processor files, then the weights), reporting
     * progress lines to {@code progress} (about every two seconds, and when done).
     */
    public static void write(Path folder, LlavaSpec spec, LlavaKeyLayout layout, WordLevelTokenizer tokenizer,
            Plan plan, long seed, Consumer<String> progress) {
        DType dtype = plan.tensors().get(0).dtype();
        LlavaFolderWriter.writeAllButWeights(folder, spec, tokenizer, dtype);
        writeWeights(folder, plan, seed, progress);
    }

    /** Writes the plan's weight files (and the index when there are several) into {@code folder}. */
    public static void writeWeights(Path folder, Plan plan, long seed, Consumer<String> progress) {
        Progress meter = new Progress(plan.dataBytes(), progress);
        try (Producer producer = new Producer(plan, seed)) {
            for (ShardPlan shard : plan.shards()) {
                SafetensorsWriter w = new SafetensorsWriter();
                for (TensorPlan t : shard.tensors()) {
                    w.add(new SafetensorsWriter.PendingTensor(t.name(), t.dtype(), t.shape(), () -> {
                        ByteBuffer b = producer.next(t);
                        meter.advance(t.bytes(), shard.file());
                        return b;
                    }));
                }
                w.write(folder.resolve(shard.file()));
            }
        }
        if (plan.shards().size() > 1) {
            JsonObject weightMap = new JsonObject();
            for (ShardPlan shard : plan.shards()) {
                shard.tensors().forEach(t -> weightMap.addProperty(t.name(), shard.file()));
            }
            JsonObject meta = new JsonObject();
            meta.addProperty("total_size", plan.dataBytes());
            JsonObject index = new JsonObject();
            index.add("metadata", meta);
            index.add("weight_map", weightMap);
            WeightsWriter.writeJsonAtomically(folder.resolve(Checkpoint.INDEX_FILE), index);
        }
        meter.done(plan.shards().size());
    }

    /** Fills {@code out} (little-endian, from 0) with tensor {@code t}'s values, on {@code pool}'s threads. */
    static void fill(TensorPlan t, long seed, ByteBuffer out, ForkJoinPool pool) {
        long n = t.elements();
        int size = t.dtype().byteSize();
        int chunks = (int) ((n + CHUNK_ELEMENTS - 1) / CHUNK_ELEMENTS);
        long stream = RandomFill.streamSeed(seed, t.index());
        Runnable all = () -> IntStream.range(0, chunks).parallel().forEach(c -> {
            long from = (long) c * CHUNK_ELEMENTS;
            long to = Math.min(n, from + CHUNK_ELEMENTS);
            int offset = Math.toIntExact(from * size);
            switch (t.init()) {
                case NORMAL -> RandomFill.gaussian(out, offset, t.dtype(), stream, STD, from, to);
                case ONES -> RandomFill.constant(out, offset, t.dtype(), 1f, to - from);
                case ZEROS -> RandomFill.constant(out, offset, t.dtype(), 0f, to - from);
                default -> throw new IllegalStateException();
            }
        });
        if (chunks <= 1) {
            all.run();
        } else {
            pool.submit(all).join();
        }
    }

    /**
     * Generates the tensors in order on a background thread, one ahead of the writer, into a pool
     * of {@link #BUFFERS} buffers of the largest tensor's size; a buffer goes back to the pool when
     * the writer asks for the next tensor (the writer has written it by then).
     */
    private static final class Producer implements AutoCloseable {

        private record Filled(TensorPlan tensor, ByteBuffer buffer, ByteBuffer whole) {
        }

        private final BlockingQueue<ByteBuffer> free = new ArrayBlockingQueue<>(BUFFERS);
        private final BlockingQueue<Object> ready = new LinkedBlockingQueue<>();
        private final ForkJoinPool pool = new ForkJoinPool(Runtime.getRuntime().availableProcessors());
        private final Thread thread;
        private ByteBuffer handedOut;

        Producer(Plan plan, long seed) {
            long largest = plan.maxTensorBytes();
            if (largest > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("tensor of " + largest + " bytes is beyond one buffer");
            }
            for (int i = 0; i < BUFFERS; i++) {
                free.add(ByteBuffer.allocateDirect((int) largest).order(ByteOrder.LITTLE_ENDIAN));
            }
            thread = new Thread(() -> {
                try {
                    for (TensorPlan t : plan.tensors()) {
                        ByteBuffer whole = free.take();
                        ByteBuffer slice = whole.clear().limit((int) t.bytes()).slice().order(ByteOrder.LITTLE_ENDIAN);
                        fill(t, seed, slice, pool);
                        ready.put(new Filled(t, slice, whole));
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Throwable e) {
                    ready.add(e);
                }
            }, "random-weights");
            thread.setDaemon(true);
            thread.start();
        }

        /** The next tensor's bytes, which must be {@code expected}'s. */
        ByteBuffer next(TensorPlan expected) {
            if (handedOut != null) {
                free.add(handedOut);
                handedOut = null;
            }
            Object item;
            try {
                item = ready.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while generating " + expected.name(), e);
            }
            if (item instanceof Throwable e) {
                throw new IllegalStateException("generating random weights failed: " + e, e);
            }
            Filled f = (Filled) item;
            if (f.tensor().index() != expected.index()) {
                throw new IllegalStateException("tensor order: expected " + expected.name() + ", generated "
                        + f.tensor().name());
            }
            handedOut = f.whole();
            return f.buffer().duplicate().order(ByteOrder.LITTLE_ENDIAN);
        }

        @Override
        public void close() {
            thread.interrupt();
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            pool.shutdownNow();
        }
    }

    /** Progress lines at most every two seconds: bytes so far, rate, current file. */
    private static final class Progress {

        private final long total;
        private final Consumer<String> sink;
        private final long start = System.nanoTime();
        private long done;
        private long lastReport = start;

        Progress(long total, Consumer<String> sink) {
            this.total = total;
            this.sink = sink;
        }

        void advance(long bytes, String file) {
            // Counted when handed to the writer: the previous tensor is on its way to the file by then.
            long now = System.nanoTime();
            if (sink != null && now - lastReport >= PROGRESS_NANOS) {
                lastReport = now;
                double s = (now - start) / 1e9;
                sink.accept(String.format("  %s / %s (%d %%), %.0f s, %.0f MB/s, %s", DiskSpace.gb(done),
                        DiskSpace.gb(total), Math.round(100.0 * done / Math.max(1, total)), s, done / 1e6 / s, file));
            }
            done += bytes;
        }

        void done(int files) {
            if (sink != null) {
                double s = (System.nanoTime() - start) / 1e9;
                sink.accept(String.format("  wrote %s of weights in %d file%s in %.1f s (%.0f MB/s)",
                        DiskSpace.gb(total), files, files == 1 ? "" : "s", s, total / 1e6 / Math.max(s, 1e-9)));
            }
        }
    }
}
