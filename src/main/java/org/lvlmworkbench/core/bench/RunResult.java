package org.lvlmworkbench.core.bench;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;

/**
 * One child process's measurement: the JSON object it printed on its {@code BENCH-RESULT} line, or
 * why there is none (the process failed, or printed no result).
 */
public record RunResult(JsonObject json, String error) {

    public static RunResult failed(String error) {
        return new RunResult(null, error);
    }

    /**
     * The last {@code BENCH-RESULT} line of a child's standard output; a missing or unreadable line is
     * a failure that quotes what was there.
     */
    public static RunResult parse(String stdout) {
        String found = null;
        for (String line : stdout.split("\\R")) {
            if (line.startsWith(BenchWorker.RESULT_PREFIX)) {
                found = line.substring(BenchWorker.RESULT_PREFIX.length());
            }
        }
        if (found == null) {
            return failed("no " + BenchWorker.RESULT_PREFIX.trim() + " line in the output" + tail(stdout));
        }
        try {
            JsonElement e = JsonParser.parseString(found);
            if (!e.isJsonObject()) {
                return failed("the result is not a JSON object: " + found);
            }
            return new RunResult(e.getAsJsonObject(), null);
        } catch (JsonParseException e) {
            return failed("unreadable result line: " + found);
        }
    }

    private static String tail(String text) {
        String t = text.strip();
        if (t.isEmpty()) {
            return "";
        }
        return ": " + (t.length() > 300 ? "…" + t.substring(t.length() - 300) : t);
    }

    public boolean ok() {
        return json != null;
    }

    /** A number field, or NaN when missing (or when the run failed). */
    public double number(String field) {
        if (json == null || !json.has(field) || !json.get(field).isJsonPrimitive()
                || !json.get(field).getAsJsonPrimitive().isNumber()) {
            return Double.NaN;
        }
        return json.get(field).getAsDouble();
    }

    public String text(String field) {
        return json == null || !json.has(field) || json.get(field).isJsonNull() ? null : json.get(field).getAsString();
    }

    /** The generated token ids, in order. */
    public List<Long> tokens() {
        List<Long> out = new ArrayList<>();
        if (json != null && json.has("tokens") && json.get("tokens").isJsonArray()) {
            json.getAsJsonArray("tokens").forEach(e -> out.add(e.getAsLong()));
        }
        return out;
    }

    /** Prompt tokens per second of the prefill. */
    public double prefillTokensPerSecond() {
        return number("prompt_tokens") / number("prefill_s");
    }

    /** Tokens per second of the decode steps: N new tokens take N − 1 steps after the prefill. */
    public double decodeTokensPerSecond() {
        double n = number("new_tokens");
        return n > 1 ? (n - 1) / number("decode_s") : Double.NaN;
    }
}
