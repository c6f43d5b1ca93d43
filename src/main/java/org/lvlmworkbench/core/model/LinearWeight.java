package org.lvlmworkbench.core.model;

import org.lvlmworkbench.core.nn.LinearMap;

/**
 * One linear map of the network with what analyses and compression need to know about it.
 *
 * @param name      the weight's checkpoint key, e.g. {@code language_model.model.layers.3.mlp.down_proj.weight}
 * @param component {@code text}, {@code vision} or {@code projector}
 * @param layer     the block index within its component, or -1 (the projector)
 * @param role      {@code q k v o gate up down} (decoder), {@code q k v o fc1 fc2} (vision),
 *                  {@code linear_1 linear_2} (projector)
 * @param inputHook the hook point whose value is exactly this map's input ({@code [..., in]}), for
 *                  activation statistics such as a calibration Gram
 * @param map       the map itself: {@code out × in}, its weight readable with {@link LinearMap#weightRows()}
 */
public record LinearWeight(String name, String component, int layer, String role, String inputHook, LinearMap map) {

    public long rows() {
        return map.outFeatures();
    }

    public long cols() {
        return map.inFeatures();
    }
}
