package org.lvlmworkbench.core.bench;

import java.nio.file.Path;
import java.util.List;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.sample.RandomPreset;

/**
 * What one {@code lvlm bench} measures.
 *
 * @param shape        the random checkpoint's shape (written once per storage type, then reused)
 * @param dtypes       storage types to measure, each with its own checkpoint (F32, BF16)
 * @param runs         processes per configuration; the report shows medians
 * @param promptTokens 0 for the image prompt (one image plus a short question), else a text prompt of
 *                     this many tokens
 * @param newTokens    tokens generated after the prompt, end-of-sequence ignored
 * @param work         where checkpoints, inputs and logs go
 * @param json         where the report's JSON goes
 * @param python       the interpreter for the transformers side
 * @param attentions   transformers attention implementations to run (eager is the reference)
 * @param rooflineMb   megabytes of weights the mat-vec bandwidth test cycles through
 * @param threads      threads for torch on the transformers side
 * @param timeoutSeconds longest one child process may take
 */
public record BenchSettings(RandomPreset shape, List<DType> dtypes, int runs, int promptTokens, int newTokens, Path work,
        Path json, String python, List<String> attentions, boolean quick, int rooflineMb, long seed, int threads,
        long timeoutSeconds) {

    public BenchSettings {
        dtypes = List.copyOf(dtypes);
        attentions = List.copyOf(attentions);
        if (dtypes.isEmpty()) {
            throw new IllegalArgumentException("--dtypes must name at least one of f32, bf16");
        }
        for (DType d : dtypes) {
            if (d != DType.F32 && d != DType.BF16) {
                throw new IllegalArgumentException("--dtypes takes f32 and bf16, not " + d);
            }
        }
        for (String a : attentions) {
            if (!a.equals("eager") && !a.equals("sdpa")) {
                throw new IllegalArgumentException("--attn takes eager and sdpa, not " + a);
            }
        }
        if (runs < 1) {
            throw new IllegalArgumentException("--runs must be at least 1, got " + runs);
        }
        if (newTokens < 2) {
            throw new IllegalArgumentException("--new-tokens must be at least 2 (one prefill token and a decode step), got "
                    + newTokens);
        }
        if (promptTokens < 0) {
            throw new IllegalArgumentException("--prompt-tokens must be positive, got " + promptTokens);
        }
    }

    /** {@code python3}-style name of a storage type for transformers' {@code dtype=}. */
    static String torchName(DType d) {
        return d == DType.BF16 ? "bfloat16" : "float32";
    }

    /** The prompt in words, for the report. */
    public String promptDescription() {
        return promptTokens == 0 ? "image prompt" : "text prompt of " + promptTokens + " tokens";
    }
}
