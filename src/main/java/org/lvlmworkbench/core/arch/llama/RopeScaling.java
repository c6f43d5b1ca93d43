package org.lvlmworkbench.core.arch.llama;

import com.google.gson.JsonElement;
import java.util.List;
import org.lvlmworkbench.core.config.JsonFields;

/**
 * Rotary-embedding frequency scaling. {@code default} leaves HF's inverse frequencies as they are;
 * {@code linear} divides them by the factor; {@code llama3} rescales long wavelengths.
 *
 * <p>How a text config's rotary settings are read, exactly as transformers 5.18 reads them
 * ({@code RotaryEmbeddingConfigMixin.convert_rope_params_to_dict}, {@code standardize_rope_params},
 * {@code validate_rope}, and the {@code _compute_*_parameters} functions run when the model is built):
 * <ol>
 *   <li>The settings dict is the legacy {@code rope_scaling} when it is a non-empty object (it then
 *       <em>replaces</em> {@code rope_parameters} entirely), otherwise {@code rope_parameters} (v5),
 *       otherwise empty.</li>
 *   <li>θ is the dict's {@code rope_theta}; when the dict has none, the top-level {@code rope_theta}
 *       (legacy); when neither exists, 10000.</li>
 *   <li>The type is the dict's {@code rope_type}, else its legacy {@code type}, else {@code default}.</li>
 *   <li>{@code linear} requires {@code factor}; {@code llama3} requires {@code factor},
 *       {@code low_freq_factor} and {@code high_freq_factor} (transformers raises on a missing one),
 *       and takes {@code original_max_position_embeddings} from the top level when the config has one
 *       there, else from the dict, else {@code max_position_embeddings}.</li>
 *   <li>{@code partial_rotary_factor} (the dict's, else the top-level one) is ignored by the
 *       {@code default} type, as Llama's and Qwen2's default initialisers ignore it; for the other types
 *       a factor that rotates less than the whole head cannot run (transformers fails in the forward
 *       pass), so it is refused.</li>
 * </ol>
 * Types transformers knows but this workbench does not compute ({@code dynamic}, {@code yarn},
 * {@code longrope}, {@code proportional}) and unknown types are errors naming the field, never a
 * silent fallback. Values that cannot work (θ ≤ 0, a factor ≤ 0, {@code low_freq_factor ≥
 * high_freq_factor}, non-finite numbers) are refused too; transformers only warns about some of them.
 */
public record RopeScaling(String type, double factor, double lowFreqFactor, double highFreqFactor,
        int originalMaxPositions) {

    public static final RopeScaling NONE = new RopeScaling("default", 1, 1, 4, 8192);

    /** θ of transformers' {@code RotaryEmbeddingConfigMixin.default_theta}. */
    public static final double DEFAULT_THETA = 10_000.0;

    /** Types this workbench computes exactly as transformers does. */
    public static final List<String> SUPPORTED_TYPES = List.of("default", "linear", "llama3");

    /** Types transformers 5.18 computes ({@code ROPE_INIT_FUNCTIONS} plus {@code default}). */
    static final List<String> TRANSFORMERS_TYPES = List.of("default", "linear", "dynamic", "yarn", "longrope",
            "llama3", "proportional");

    /** θ and the scaling of one text config, with the fields they came from (for messages). */
    public record Parameters(double theta, String thetaField, RopeScaling scaling) {
    }

    /**
     * Reads the rotary settings of the text config {@code f}.
     *
     * @param maxPositions {@code max_position_embeddings}, the llama3 fallback for the original length
     * @param headDim      the head size, to check {@code partial_rotary_factor}
     */
    public static Parameters parse(JsonFields f, int maxPositions, int headDim) {
        JsonFields dict = null;
        if (f.has("rope_scaling") && !isEmptyObject(f, "rope_scaling")) {
            dict = f.object("rope_scaling");
        } else if (f.has("rope_parameters")) {
            dict = f.object("rope_parameters");
        }

        double theta;
        String thetaField;
        if (dict != null && dict.raw().has("rope_theta")) {
            theta = requiredNumber(dict, "rope_theta");
            thetaField = dict.path("rope_theta");
        } else if (f.raw().has("rope_theta")) {
            theta = requiredNumber(f, "rope_theta");
            thetaField = f.path("rope_theta");
        } else {
            theta = DEFAULT_THETA;
            thetaField = dict != null ? dict.path("rope_theta") : f.path("rope_theta");
        }
        if (!(theta > 0) || Double.isInfinite(theta)) {
            JsonFields owner = dict != null && dict.raw().has("rope_theta") ? dict : f;
            throw owner.error("rope_theta", "must be a positive finite number, found " + theta
                    + " (θ ≤ 0 makes every rotary frequency infinite or NaN)");
        }

        if (dict == null) {
            return new Parameters(theta, thetaField, NONE);
        }
        String typeField = dict.raw().has("rope_type") ? "rope_type" : dict.raw().has("type") ? "type" : null;
        String type = typeField == null ? "default" : requiredString(dict, typeField);
        if (!type.equals("default")) {
            checkWholeHeadRotates(f, dict, headDim, type);
        }
        RopeScaling scaling = switch (type) {
            case "default" -> NONE;
            case "linear" -> new RopeScaling(type, factor(dict, type), 1, 4, 8192);
            case "llama3" -> llama3(f, dict, maxPositions);
            default -> {
                String field = typeField == null ? "rope_type" : typeField;
                if (TRANSFORMERS_TYPES.contains(type)) {
                    throw dict.error(field, "'" + type + "' rotary scaling is not supported by this workbench yet; "
                            + "it computes " + SUPPORTED_TYPES);
                }
                throw dict.error(field, "unknown rotary type '" + type + "'; transformers knows " + TRANSFORMERS_TYPES
                        + " and this workbench computes " + SUPPORTED_TYPES);
            }
        };
        return new Parameters(theta, thetaField, scaling);
    }

    private static RopeScaling llama3(JsonFields f, JsonFields dict, int maxPositions) {
        double factor = factor(dict, "llama3");
        double low = requiredNumber(dict, "low_freq_factor", "llama3");
        double high = requiredNumber(dict, "high_freq_factor", "llama3");
        if (!Double.isFinite(low)) {
            throw dict.error("low_freq_factor", "must be a finite number, found " + low);
        }
        if (!Double.isFinite(high)) {
            throw dict.error("high_freq_factor", "must be a finite number, found " + high);
        }
        if (low >= high) {
            throw dict.error("low_freq_factor", "must be less than high_freq_factor (" + high + "), found " + low
                    + ": llama3 scaling divides by their difference");
        }
        // transformers gives a top-level original_max_position_embeddings priority (the Phi-3 case).
        int original;
        if (f.has("original_max_position_embeddings")) {
            original = f.positive("original_max_position_embeddings", maxPositions);
        } else {
            original = dict.positive("original_max_position_embeddings", maxPositions);
        }
        return new RopeScaling("llama3", factor, low, high, original);
    }

    private static double factor(JsonFields dict, String type) {
        double factor = requiredNumber(dict, "factor", type);
        if (!(factor > 0) || Double.isInfinite(factor)) {
            throw dict.error("factor", "must be a positive finite number, found " + factor);
        }
        return factor;
    }

    private static void checkWholeHeadRotates(JsonFields f, JsonFields dict, int headDim, String type) {
        JsonFields owner = dict.has("partial_rotary_factor") ? dict : f.has("partial_rotary_factor") ? f : null;
        if (owner == null) {
            return;
        }
        double p = owner.number("partial_rotary_factor");
        if (!Double.isFinite(p) || (int) (headDim * p) != headDim) {
            throw owner.error("partial_rotary_factor", p + " rotates only part of each " + headDim
                    + "-wide head; partial rotary embeddings are not supported with rope_type '" + type + "'");
        }
    }

    private static boolean isEmptyObject(JsonFields f, String field) {
        JsonElement e = f.raw().get(field);
        return e.isJsonObject() && e.getAsJsonObject().size() == 0;
    }

    private static double requiredNumber(JsonFields f, String field) {
        if (f.raw().get(field).isJsonNull()) {
            throw f.error(field, "must be a number, found null");
        }
        return f.number(field);
    }

    private static double requiredNumber(JsonFields dict, String field, String type) {
        if (!dict.raw().has(field)) {
            throw dict.error(field, "is missing; transformers requires it for rope_type '" + type + "'");
        }
        return requiredNumber(dict, field);
    }

    private static String requiredString(JsonFields f, String field) {
        if (f.raw().get(field).isJsonNull()) {
            throw f.error(field, "must be a string, found null");
        }
        return f.string(field);
    }

    /**
     * Inverse frequencies for a head of {@code headDim}, as HF computes them: every step in float32,
     * in the order transformers' tensor expressions take (a scalar divided by a tensor is the
     * tensor's reciprocal times the scalar there, as {@code Tensor.__rtruediv__} does).
     */
    public float[] inverseFrequencies(int headDim, double theta) {
        int half = headDim / 2;
        float[] inv = new float[half];
        float base = (float) theta;
        float fFactor = (float) factor;
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            float f = 1f / (float) Math.pow(base, exponent);
            inv[i] = switch (type) {
                case "linear" -> f / fFactor;
                case "llama3" -> llama3(f);
                default -> f;
            };
        }
        return inv;
    }

    /** {@code _compute_llama3_parameters}, one frequency at a time, float32 like the tensors there. */
    private float llama3(float invFreq) {
        double lowWavelen = originalMaxPositions / lowFreqFactor;
        double highWavelen = originalMaxPositions / highFreqFactor;
        float fFactor = (float) factor;
        float wavelen = (1f / invFreq) * (float) (2 * Math.PI);
        if (wavelen < (float) highWavelen) {
            return invFreq;
        }
        if (wavelen > (float) lowWavelen) {
            return invFreq / fFactor;
        }
        float smooth = ((1f / wavelen) * (float) originalMaxPositions - (float) lowFreqFactor)
                / (float) (highFreqFactor - lowFreqFactor);
        return (1f - smooth) * invFreq / fFactor + smooth * invFreq;
    }
}
