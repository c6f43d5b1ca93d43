package org.lvlmworkbench.core.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Figures of this process and machine from /proc (Linux); -1 where there is no /proc. */
public final class ProcStatus {

    private ProcStatus() {
    }

    /** A {@code kB} field of /proc/self/status (e.g. {@code VmHWM}, the peak resident set), in bytes. */
    public static long bytes(String field) {
        return kbField(Path.of("/proc/self/status"), field);
    }

    /** A {@code kB} field of /proc/meminfo (e.g. {@code MemTotal}), in bytes. */
    public static long meminfo(String field) {
        return kbField(Path.of("/proc/meminfo"), field);
    }

    /** The 1-minute load average, or NaN. */
    public static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static long kbField(Path file, String field) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(field + ":")) {
                    String[] parts = line.substring(field.length() + 1).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
