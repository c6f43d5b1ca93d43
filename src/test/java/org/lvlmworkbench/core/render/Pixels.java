package org.lvlmworkbench.core.render;

import java.awt.image.BufferedImage;

/** Small helpers for reading rendered pixels in tests. */
final class Pixels {

    private Pixels() {
    }

    static int rgb(BufferedImage image, double x, double y) {
        return image.getRGB((int) Math.floor(x), (int) Math.floor(y)) & 0xffffff;
    }

    static String hex(int rgb) {
        return String.format("#%06x", rgb);
    }

    /** CIELAB lightness L* (D65) of an sRGB colour. */
    static double lightness(int rgb) {
        double y = 0.2126 * linear(rgb >> 16) + 0.7152 * linear(rgb >> 8) + 0.0722 * linear(rgb);
        double f = y > 216.0 / 24389 ? Math.cbrt(y) : (24389.0 / 27 * y + 16) / 116;
        return 116 * f - 16;
    }

    private static double linear(int channel) {
        double c = (channel & 0xff) / 255.0;
        return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }

    /** Number of pixels within {@code tolerance} per channel of {@code rgb}. */
    static int count(BufferedImage image, int rgb, int tolerance) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (close(image.getRGB(x, y), rgb, tolerance)) {
                    n++;
                }
            }
        }
        return n;
    }

    static boolean close(int a, int b, int tolerance) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs(((a >> shift) & 0xff) - ((b >> shift) & 0xff)) > tolerance) {
                return false;
            }
        }
        return true;
    }
}
