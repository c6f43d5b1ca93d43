package org.lvlmworkbench.core.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ColorMapTest {

    @Test
    void viridisHasItsPublishedColours() {
        // The ends and middle of matplotlib's viridis, as every viridis palette lists them.
        assertEquals("#440154", Pixels.hex(ColorMap.VIRIDIS.entry(0)));
        assertEquals("#21918c", Pixels.hex(ColorMap.VIRIDIS.entry(128)));
        assertEquals("#fde725", Pixels.hex(ColorMap.VIRIDIS.entry(255)));
    }

    @Test
    void lookupFollowsMatplotlib() {
        ColorMap m = ColorMap.VIRIDIS;
        assertEquals(m.entry(0), m.rgb(0.0));
        assertEquals(m.entry(255), m.rgb(1.0));
        assertEquals(m.entry(128), m.rgb(0.5));
        assertEquals(m.entry(63), m.rgb(0.249));
        assertEquals(m.entry(0), m.rgb(-3.0), "below the range takes the low end");
        assertEquals(m.entry(255), m.rgb(7.0), "above the range takes the high end");
        assertEquals(m.entry(64), m.rgb(2.5, 0, 10));
        assertEquals(ColorMap.NAN_RGB, m.rgb(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> m.entry(256));
    }

    @Test
    void viridisLightnessRisesThroughout() {
        // Perceptual uniformity's first property; a mistyped or misordered row breaks it.
        for (int i = 0; i + 4 < ColorMap.SIZE; i++) {
            double a = Pixels.lightness(ColorMap.VIRIDIS.entry(i));
            double b = Pixels.lightness(ColorMap.VIRIDIS.entry(i + 4));
            assertTrue(b > a, "viridis L* must rise from entry " + i + " to " + (i + 4) + ": " + a + " -> " + b);
        }
        assertTrue(Pixels.lightness(ColorMap.VIRIDIS.entry(255)) - Pixels.lightness(ColorMap.VIRIDIS.entry(0)) > 70);
    }

    @Test
    void divergingGoesFromBlueThroughWhiteToRed() {
        ColorMap m = ColorMap.BLUE_WHITE_RED;
        int low = m.entry(0);
        int high = m.entry(255);
        assertTrue((low & 0xff) > (low >> 16 & 0xff), "low end is blue: " + Pixels.hex(low));
        assertTrue((high >> 16 & 0xff) > (high & 0xff), "high end is red: " + Pixels.hex(high));
        for (int i : new int[] {127, 128}) {
            int c = m.entry(i);
            for (int shift = 0; shift <= 16; shift += 8) {
                assertTrue((c >> shift & 0xff) >= 240, "middle entry " + i + " is near-white: " + Pixels.hex(c));
            }
        }
        for (int i = 0; i < 127; i++) {
            assertTrue(Pixels.lightness(m.entry(i + 1)) > Pixels.lightness(m.entry(i)), "L* rises towards the middle at " + i);
        }
        for (int i = 128; i < 255; i++) {
            assertTrue(Pixels.lightness(m.entry(i + 1)) < Pixels.lightness(m.entry(i)), "L* falls after the middle at " + i);
        }
        assertTrue(m.diverging());
    }

    @Test
    void nanGreyIsInNeitherMap() {
        for (ColorMap m : ColorMap.values()) {
            for (int i = 0; i < ColorMap.SIZE; i++) {
                assertTrue(!Pixels.close(m.entry(i), ColorMap.NAN_RGB, 6), m + " entry " + i + " looks like the NaN grey");
            }
        }
    }
}
