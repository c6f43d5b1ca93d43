package org.lvlmworkbench.core.compress.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DivergenceTest {

    @Test
    void identicalLogitsGiveZero() {
        float[] p = {1.5f, -2f, 0.25f, 7f};
        assertEquals(0.0, Divergence.kl(p, p.clone()));
    }

    @Test
    void twoTokensByHand() {
        // P = (1/2, 1/2), Q = (3/4, 1/4): KL = ½ ln(2/3) + ½ ln 2 = ½ ln(4/3).
        float[] p = {0f, 0f};
        float[] q = {(float) Math.log(3), 0f};
        assertEquals(0.5 * Math.log(4.0 / 3), Divergence.kl(p, q), 1e-7);
        // Shifting logits by a constant changes no distribution.
        assertEquals(Divergence.kl(p, q), Divergence.kl(new float[] {100f, 100f}, new float[] {q[0] - 50, -50f}),
                1e-5);
    }

    @Test
    void largeLogitsStayFinite() {
        float[] p = {1000f, 0f, -1000f};
        float[] q = {0f, 1000f, -1000f};
        double kl = Divergence.kl(p, q);
        assertTrue(Double.isFinite(kl));
        assertEquals(1000.0, kl, 1e-6, "P is all on token 0, where log P − log Q = 1000");
    }

    @Test
    void vocabulariesMustMatch() {
        assertThrows(IllegalArgumentException.class, () -> Divergence.kl(new float[3], new float[4]));
    }
}
