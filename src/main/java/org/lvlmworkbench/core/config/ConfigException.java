package org.lvlmworkbench.core.config;

import java.nio.file.Path;

/** A model folder's configuration file is missing, unreadable, or has a wrong field. */
public class ConfigException extends RuntimeException {

    private final Path file;
    private final String field;

    public ConfigException(Path file, String field, String problem) {
        this(file, field, problem, null);
    }

    public ConfigException(Path file, String field, String problem, Throwable cause) {
        super(file + (field == null ? "" : ": field '" + field + "'") + ": " + problem, cause);
        this.file = file;
        this.field = field;
    }

    public Path file() {
        return file;
    }

    /** Dotted path of the field, e.g. {@code text_config.hidden_size}; null for the whole file. */
    public String field() {
        return field;
    }
}
