package org.lvlmworkbench.app.widgets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The widgets' colour maps are the published ones, at the points that identify them. */
class ColorMapTest {

    @Test
    void viridisRunsFromPurpleToYellowGettingLighter() {
        assertEquals(0xff440154, ColorMap.VIRIDIS.argb(0));
        assertEquals(0xff21918c, ColorMap.VIRIDIS.argb(128.5 / 256), "matplotlib's entry 128");
        assertEquals(0xfffde725, ColorMap.VIRIDIS.argb(1));
        // Every 8th entry: neighbours can differ by one 8-bit rounding step the other way.
        double previous = -1;
        for (int i = 0; i < ColorMap.SIZE; i += 8) {
            double l = luminance(ColorMap.VIRIDIS.argb((i + 0.5) / ColorMap.SIZE));
            assertTrue(l > previous, "entry " + i + " is not lighter than entry " + (i - 8));
            previous = l;
        }
    }

    @Test
    void theDivergingMapIsBlueThenWhiteThenRed() {
        int low = ColorMap.DIVERGING.argb(0);
        int mid = ColorMap.DIVERGING.argb(0.5);
        int high = ColorMap.DIVERGING.argb(1);
        assertEquals(0xff053061, low);
        assertEquals(0xff67001f, high);
        for (int shift = 0; shift <= 16; shift += 8) {
            assertTrue((mid >> shift & 0xff) >= 0xf0, "the middle is near white: " + Integer.toHexString(mid));
        }
        assertTrue((ColorMap.DIVERGING.argb(0.25) & 0xff) > (ColorMap.DIVERGING.argb(0.25) >> 16 & 0xff), "blue below");
        assertTrue((ColorMap.DIVERGING.argb(0.75) >> 16 & 0xff) > (ColorMap.DIVERGING.argb(0.75) & 0xff), "red above");
    }

    @Test
    void fractionsAreClampedAndNaNIsTransparent() {
        assertEquals(ColorMap.VIRIDIS.argb(0), ColorMap.VIRIDIS.argb(-3));
        assertEquals(ColorMap.VIRIDIS.argb(1), ColorMap.VIRIDIS.argb(7));
        assertEquals(0, ColorMap.VIRIDIS.argb(Double.NaN));
        assertEquals(0, ColorMap.DIVERGING.color(Double.NaN, 1).getOpacity());
        assertEquals(0.5, ColorMap.VIRIDIS.color(0.3, 0.5).getOpacity(), 1e-9);
    }

    private static double luminance(int argb) {
        return 0.2126 * (argb >> 16 & 0xff) + 0.7152 * (argb >> 8 & 0xff) + 0.0722 * (argb & 0xff);
    }
}
