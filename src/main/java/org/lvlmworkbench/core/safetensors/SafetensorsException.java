package org.lvlmworkbench.core.safetensors;

import java.nio.file.Path;

/**
 * A safetensors file (or a shard index) broke one of the format's rules. The message names the
 * file, the tensor when there is one, and the rule, so a user can find the damage.
 */
public class SafetensorsException extends RuntimeException {

    /** The rules a file is checked against; each failure names exactly one. */
    public enum Rule {
        FILE_UNREADABLE("file cannot be read"),
        HEADER_TOO_SMALL("file is shorter than the 8-byte header length"),
        HEADER_TOO_LARGE("header length exceeds 100 MB"),
        HEADER_LENGTH_BEYOND_FILE("header length points past the end of the file"),
        HEADER_NOT_UTF8("header is not valid UTF-8"),
        HEADER_NOT_JSON("header is not a JSON object"),
        DUPLICATE_TENSOR("tensor name appears twice"),
        BAD_METADATA("__metadata__ must map strings to strings"),
        MISSING_FIELD("tensor entry lacks a required field"),
        UNKNOWN_DTYPE("dtype is not a safetensors type"),
        BAD_SHAPE("shape must be a list of non-negative integers"),
        BAD_OFFSETS("data_offsets must be two integers [begin, end] with begin <= end"),
        SIZE_OVERFLOW("shape x dtype size overflows"),
        SIZE_MISMATCH("shape x dtype size differs from the byte span"),
        NOT_CONTIGUOUS("tensor spans must be sorted, contiguous and non-overlapping from offset 0"),
        OUTSIDE_FILE("tensor data lies outside the file"),
        TRAILING_BYTES("file has bytes after the last tensor"),
        TENSOR_NOT_FOUND("no tensor of that name"),
        TENSOR_TOO_LARGE("tensor is larger than one memory map can hold (2 GiB)"),
        BAD_INDEX("model.safetensors.index.json is malformed"),
        SHARD_ESCAPES_FOLDER("shard file name leaves the checkpoint folder"),
        SHARD_MISSING("shard named by the index does not exist"),
        INDEX_MISMATCH("index and shard disagree about a tensor"),
        UNSUPPORTED_WRITE("value cannot be written");

        private final String description;

        Rule(String description) {
            this.description = description;
        }

        public String description() {
            return description;
        }
    }

    private final Path file;
    private final String tensor;
    private final Rule rule;

    public SafetensorsException(Path file, String tensor, Rule rule, String detail) {
        this(file, tensor, rule, detail, null);
    }

    public SafetensorsException(Path file, String tensor, Rule rule, String detail, Throwable cause) {
        super(format(file, tensor, rule, detail), cause);
        this.file = file;
        this.tensor = tensor;
        this.rule = rule;
    }

    private static String format(Path file, String tensor, Rule rule, String detail) {
        StringBuilder sb = new StringBuilder();
        sb.append(file);
        if (tensor != null) {
            sb.append(": tensor '").append(tensor).append('\'');
        }
        sb.append(": ").append(rule.description());
        if (detail != null && !detail.isEmpty()) {
            sb.append(" (").append(detail).append(')');
        }
        return sb.toString();
    }

    public Path file() {
        return file;
    }

    /** The tensor concerned, or null when the failure is about the file as a whole. */
    public String tensor() {
        return tensor;
    }

    public Rule rule() {
        return rule;
    }
}
