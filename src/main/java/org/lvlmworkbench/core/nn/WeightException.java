package org.lvlmworkbench.core.nn;

import java.nio.file.Path;

/** A checkpoint's tensors do not fit its configuration: a tensor is missing or has a wrong shape. */
public class WeightException extends RuntimeException {

    private final Path file;
    private final String tensor;

    public WeightException(Path file, String tensor, String problem) {
        super(file + ": tensor '" + tensor + "': " + problem);
        this.file = file;
        this.tensor = tensor;
    }

    public Path file() {
        return file;
    }

    public String tensor() {
        return tensor;
    }
}
