package org.lvlmworkbench.core.compress.export;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/** SHA-256 of every file under a folder, with its relative path: equal strings mean identical trees. */
final class FolderHashes {

    private FolderHashes() {
    }

    static String of(Path folder) throws Exception {
        StringBuilder out = new StringBuilder();
        List<Path> files;
        try (Stream<Path> s = Files.walk(folder)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            try (InputStream in = Files.newInputStream(f)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) {
                    d.update(buf, 0, n);
                }
            } catch (IOException e) {
                throw new IOException(f + ": " + e.getMessage(), e);
            }
            out.append(folder.relativize(f)).append(' ').append(HexFormat.of().formatHex(d.digest())).append('\n');
        }
        return out.toString();
    }
}
