package org.lvlmworkbench.core.loading;

import ai.djl.Device;
import java.lang.management.ManagementFactory;
import org.lvlmworkbench.core.safetensors.Checkpoint;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.safetensors.TensorEntry;

/**
 * Refuses, before reading a byte of weights, a model whose float32 copy would not fit in memory:
 * running out half-way would take the whole application down with it. F32 tensors on the CPU are
 * used straight from the file mapping and need no copy; everything else is widened to F32.
 */
final class MemoryBudget {

    /** Headroom for activations, the JVM and the operating system. */
    static final double USABLE_FRACTION = 0.85;

    private MemoryBudget() {
    }

    static long bytesNeeded(Checkpoint checkpoint, Device device) {
        long bytes = 0;
        for (String name : checkpoint.names()) {
            TensorEntry e = checkpoint.entry(name);
            boolean mappedInPlace = e.dtype() == DType.F32 && device.equals(Device.cpu());
            if (!mappedInPlace) {
                bytes += e.elementCount() * 4;
            }
        }
        return bytes;
    }

    static void check(Checkpoint checkpoint, Device device) {
        if (Boolean.getBoolean("lvlm.skipMemoryCheck") || !device.equals(Device.cpu())) {
            return;
        }
        check(checkpoint, device, availableBytes());
    }

    static void check(Checkpoint checkpoint, Device device, long available) {
        long needed = bytesNeeded(checkpoint, device);
        if (available > 0 && needed > available * USABLE_FRACTION) {
            throw new IllegalStateException(String.format("%s: the model needs about %.1f GiB as float32 but only "
                    + "%.1f GiB of memory is free; close other programs, use a machine with more memory, or pass "
                    + "-Dlvlm.skipMemoryCheck=true to try anyway", checkpoint.folder(), needed / 1073741824.0,
                    available / 1073741824.0));
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
