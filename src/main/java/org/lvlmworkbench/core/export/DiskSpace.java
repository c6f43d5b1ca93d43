package org.lvlmworkbench.core.export;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free-space checks made before writing gigabytes, so a write is refused up front, not left half done. */
public final class DiskSpace {

    /** Kept free beyond the estimate: the file system's own bookkeeping, logs, whatever else runs. */
    public static final long MARGIN_BYTES = 256L << 20;

    private DiskSpace() {
    }

    /** Bytes usable on the file system that holds {@code path} (or would hold it, for a path not yet made). */
    public static long usableBytes(Path path) {
        Path p = path.toAbsolutePath().normalize();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            throw new IllegalArgumentException(path + ": no existing folder above it");
        }
        try {
            return Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
            throw new UncheckedIOException(path + ": cannot read the free disk space: " + e.getMessage(), e);
        }
    }

    /**
     * Refuses, naming the sizes, when {@code needed} bytes (plus {@link #MARGIN_BYTES}) would not fit in
     * the {@code usable} bytes free plus the {@code reclaimable} bytes that old files being replaced free.
     */
    public static void require(Path folder, long needed, long usable, long reclaimable, String what) {
        if (needed + MARGIN_BYTES > usable + reclaimable) {
            throw new IllegalStateException(folder + ": not enough free disk space for " + what + ": it needs about "
                    + gb(needed) + " (+" + gb(MARGIN_BYTES) + " kept free), the file system has " + gb(usable)
                    + " free" + (reclaimable > 0 ? " plus " + gb(reclaimable) + " in the old weights it replaces" : "")
                    + "; free some space or choose another --out");
        }
    }

    public static void require(Path folder, long needed, long reclaimable, String what) {
        require(folder, needed, usableBytes(folder), reclaimable, what);
    }

    /** Decimal gigabytes (or megabytes below one GB), as disks are sold. */
    public static String gb(long bytes) {
        return bytes >= 1_000_000_000L ? String.format("%.2f GB", bytes / 1e9) : String.format("%.1f MB", bytes / 1e6);
    }
}
