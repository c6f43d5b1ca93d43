package org.lvlmworkbench.core.loading;

import ai.djl.Device;
import java.lang.management.ManagementFactory;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.TensorEntry;

/**
 * Refuses, before reading a byte of weights, a model that would not fit in memory: running out
 * half-way would take the whole application down with it. On the CPU, F32 tensors and 16-bit
 * matrices (2-D tensors) are read straight from the file mapping: they need their file bytes
 * resident, not a copy. Everything else (16-bit norms, biases and embeddings of other shapes, or
 * every 16-bit tensor under {@code -Dlvlm.weights=f32}, or any tensor on a GPU) is widened to float32.
 */
final class MemoryBudget {

    /** Headroom for activations, the JVM and the operating system. */
    static final double USABLE_FRACTION = 0.85;

    private MemoryBudget() {
    }

    static long bytesNeeded(Checkpoint checkpoint, Device device) {
        return mappedBytes(checkpoint, device) + widenedBytes(checkpoint, device);
    }

    static long mappedBytes(Checkpoint checkpoint, Device device) {
        long bytes = 0;
        for (String name : checkpoint.names()) {
            TensorEntry e = checkpoint.entry(name);
            if (staysMapped(e, device)) {
                bytes += e.elementCount() * e.dtype().byteSize();
            }
        }
        return bytes;
    }

    static long widenedBytes(Checkpoint checkpoint, Device device) {
        long bytes = 0;
        for (String name : checkpoint.names()) {
            TensorEntry e = checkpoint.entry(name);
            if (!staysMapped(e, device)) {
                bytes += e.elementCount() * 4;
            }
        }
        return bytes;
    }

    private static boolean staysMapped(TensorEntry e, Device device) {
        if (!device.equals(Device.cpu())) {
            return false;
        }
        if (e.dtype() == DType.F32) {
            return true;
        }
        return WeightLoader.mapsMatrices(device) && (e.dtype() == DType.BF16 || e.dtype() == DType.F16)
                && e.shape().length == 2;
    }

    static void check(Checkpoint checkpoint, Device device) {
        if (Boolean.getBoolean("lvlm.skipMemoryCheck") || !device.equals(Device.cpu())) {
            return;
        }
        check(checkpoint, device, availableBytes());
    }

    static void check(Checkpoint checkpoint, Device device, long available) {
        long mapped = mappedBytes(checkpoint, device);
        long widened = widenedBytes(checkpoint, device);
        long needed = mapped + widened;
        if (available > 0 && needed > available * USABLE_FRACTION) {
            throw new IllegalStateException(String.format("%s: the model needs about %.1f GiB (%.1f GiB read from "
                    + "its files in place, %.1f GiB widened to float32) but only %.1f GiB of memory is free; close "
                    + "other programs, use a machine with more memory, or pass -Dlvlm.skipMemoryCheck=true to try "
                    + "anyway", checkpoint.folder(), needed / 1073741824.0, mapped / 1073741824.0,
                    widened / 1073741824.0, available / 1073741824.0));
        }
    }

    /** Linux's MemAvailable (free plus reclaimable cache); the JVM's free-memory figure elsewhere. */
    static long availableBytes() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemAvailable:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException notLinux) {
            // Fall through to the JVM's figure.
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getFreeMemorySize();
        }
        return -1;
    }
}
