package org.lvlmworkbench.core.arch.llama;

import org.lvlmworkbench.core.config.JsonFields;

/**
 * Rotary-embedding frequency scaling. {@code default} leaves HF's inverse frequencies as they are;
 * {@code linear} divides positions by the factor; {@code llama3} rescales long wavelengths.
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositions) {

    public static final RopeScaling NONE = new RopeScaling("default", 1, 1, 4, 8192);

    static RopeScaling parse(JsonFields f) {
        if (!f.has("rope_scaling")) {
            return NONE;
        }
        JsonFields r = f.object("rope_scaling");
        String type = r.has("rope_type") ? r.string("rope_type") : r.string("type", "default");
        return switch (type) {
            case "default" -> NONE;
            case "linear" -> new RopeScaling(type, r.number("factor"), 1, 4, 8192);
            case "llama3" -> new RopeScaling(type, r.number("factor"), r.number("low_freq_factor", 1),
                    r.number("high_freq_factor", 4), r.integer("original_max_position_embeddings", 8192));
            default -> throw r.error("rope_type", "'" + type + "' is not supported; known: default, linear, llama3");
        };
    }

    /** Inverse frequencies for a head of {@code headDim}, as HF computes them, in float32. */
    public float[] inverseFrequencies(int headDim, double theta) {
        int half = headDim / 2;
        float[] inv = new float[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / headDim;
            float f = (float) (1.0 / Math.pow(theta, exponent));
            inv[i] = switch (type) {
                case "linear" -> (float) (f / factor);
                case "llama3" -> llama3(f);
                default -> f;
            };
        }
        return inv;
    }

    private float llama3(float invFreq) {
        double lowWavelen = originalMaxPositions / lowFreqFactor;
        double highWavelen = originalMaxPositions / highFreqFactor;
        double wavelen = 2 * Math.PI / invFreq;
        if (wavelen < highWavelen) {
            return invFreq;
        }
        if (wavelen > lowWavelen) {
            return (float) (invFreq / factor);
        }
        double smooth = (originalMaxPositions / wavelen - lowFreqFactor) / (highFreqFactor - lowFreqFactor);
        return (float) ((1 - smooth) * invFreq / factor + smooth * invFreq);
    }
}
