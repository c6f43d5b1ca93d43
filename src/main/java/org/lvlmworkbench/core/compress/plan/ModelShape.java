package org.lvlmworkbench.core.compress.plan;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a plan is checked against: the model's fingerprint, its decoder depth and every linear map
 * a rank can be set on. Plain data, so a plan can be validated without the model's weights.
 *
 * @param fingerprint   the model folder's fingerprint ({@code ModelFingerprint})
 * @param decoderLayers layers of the text decoder
 * @param matrices      every linear map by its checkpoint key, in forward order
 */
public record ModelShape(String fingerprint, int decoderLayers, Map<String, Matrix> matrices) {

    /**
     * One linear map.
     *
     * @param component {@code text}, {@code vision} or {@code projector}
     * @param layer     block index within the component, -1 for the projector
     * @param role      q k v o gate up down (decoder), q k v o fc1 fc2 (vision), linear_1 linear_2
     */
    public record Matrix(String name, String component, int layer, String role, int rows, int cols) {

        /** The largest rank a factorisation of this matrix can have. */
        public int maxRank() {
            return Math.min(rows, cols);
        }

        public long denseParameters() {
            return (long) rows * cols;
        }

        /** Parameters of the two factors at rank {@code k}: {@code k·(rows + cols)}. */
        public long factoredParameters(int k) {
            return (long) k * (rows + cols);
        }

        /** The rank from which factors stop saving anything: {@code ⌈mn/(m+n)⌉}. */
        public int breakEvenRank() {
            long mn = denseParameters();
            long sum = rows + cols;
            return (int) ((mn + sum - 1) / sum);
        }

        /** Whether a decoder sub-layer's map: attention (q k v o) or MLP (gate up down). */
        public boolean inAttention() {
            return component.equals("text") && List.of("q", "k", "v", "o").contains(role);
        }
    }

    public ModelShape {
        matrices = Collections.unmodifiableMap(new LinkedHashMap<>(matrices));
    }

    public static ModelShape of(String fingerprint, int decoderLayers, List<Matrix> matrices) {
        Map<String, Matrix> byName = new LinkedHashMap<>();
        for (Matrix m : matrices) {
            byName.put(m.name(), m);
        }
        return new ModelShape(fingerprint, decoderLayers, byName);
    }
}
