package org.lvlmworkbench.core.compress.evaluate;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Floating-point operations of one forward pass (or a sum of passes), a multiply-add counted as two.
 *
 * @param linear      the linear maps of every block and the projector: {@code 2 · parameters · rows}
 * @param attention   attention scores and their weighted sum: {@code 2·2 · T_q · T_k · heads·head_dim} per
 *                    block that has attention, per sequence
 * @param lmHead      the LM head on the rows whose logits were computed: {@code 2 · hidden · vocab} per row
 * @param byComponent the same total split by where it is spent: the linear maps' components ({@code vision},
 *                    {@code projector}, {@code text}, attention included) and {@code lm_head}
 */
public record FlopCount(long linear, long attention, long lmHead, Map<String, Long> byComponent) {

    public static final FlopCount ZERO = new FlopCount(0, 0, 0, Map.of());

    public FlopCount {
        byComponent = Collections.unmodifiableMap(new LinkedHashMap<>(byComponent));
    }

    public long total() {
        return linear + attention + lmHead;
    }

    public FlopCount plus(FlopCount o) {
        Map<String, Long> parts = new LinkedHashMap<>(byComponent);
        o.byComponent.forEach((k, v) -> parts.merge(k, v, Long::sum));
        return new FlopCount(linear + o.linear, attention + o.attention, lmHead + o.lmHead, parts);
    }
}
