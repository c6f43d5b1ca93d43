package org.lvlmworkbench.core.processing;

/**
 * The largest images we agree to hold in memory. An image file's header is checked against the
 * pixel budget before any pixel is decoded (a 2 MB PNG can claim 25000x25000 pixels), and so is
 * every resize target, so that neither a decompression bomb nor an extreme aspect ratio exhausts
 * the heap or overflows {@code int} sizes.
 */
public final class ImageLimits {

    /** System property that overrides the pixel budget, e.g. {@code -Dlvlm.maxImagePixels=100000000}. */
    public static final String MAX_PIXELS_PROPERTY = "lvlm.maxImagePixels";

    /** 64 megapixels, e.g. 8000 x 8000. */
    public static final long DEFAULT_MAX_PIXELS = 64_000_000L;

    /** The most bytes one Java array can hold (JVMs reserve a few header words). */
    static final long MAX_ARRAY_LENGTH = Integer.MAX_VALUE - 8;

    private ImageLimits() {
    }

    /** The pixel budget: {@value #MAX_PIXELS_PROPERTY} when set, else {@link #DEFAULT_MAX_PIXELS}. */
    public static long maxPixels() {
        String value = System.getProperty(MAX_PIXELS_PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_MAX_PIXELS;
        }
        long max;
        try {
            max = Long.parseLong(value.trim().replace("_", ""));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("system property " + MAX_PIXELS_PROPERTY + "='" + value
                    + "' is not a whole number of pixels");
        }
        if (max <= 0) {
            throw new IllegalArgumentException("system property " + MAX_PIXELS_PROPERTY + "=" + value + " must be positive");
        }
        return max;
    }

    /**
     * Refuses an image whose header claims more pixels than the budget, or more than an RGB buffer
     * can hold. {@code what} names it in the message (typically the file).
     */
    public static void checkImage(Object what, long width, long height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(what + ": image has an invalid size " + width + "x" + height);
        }
        long pixels = width * height;
        long max = maxPixels();
        if (pixels > max) {
            throw new IllegalArgumentException(what + ": image is " + width + "x" + height + " = " + megapixels(pixels)
                    + ", above the limit of " + megapixels(max) + " (" + max + " pixels); refusing to decode it."
                    + " Downscale the image, or raise the limit with -D" + MAX_PIXELS_PROPERTY + "=<pixels>");
        }
        checkArray(what, width, height);
    }

    /**
     * Refuses a resize whose result would exceed the pixel budget, e.g. a 1x1000000 strip whose
     * shortest edge is scaled to 336 (transformers asks for 336x336000000).
     */
    public static void checkResize(long fromWidth, long fromHeight, long toWidth, long toHeight) {
        if (toWidth <= 0 || toHeight <= 0 || toWidth > Integer.MAX_VALUE || toHeight > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot resize a " + fromWidth + "x" + fromHeight + " image to "
                    + toWidth + "x" + toHeight + ": the size is out of range (aspect ratio too extreme?)");
        }
        long pixels = toWidth * toHeight;
        long max = maxPixels();
        if (pixels > max) {
            throw new IllegalArgumentException("cannot resize a " + fromWidth + "x" + fromHeight + " image to "
                    + toWidth + "x" + toHeight + " = " + megapixels(pixels) + ": above the limit of " + megapixels(max)
                    + " (aspect ratio too extreme?). Crop the image, or raise the limit with -D"
                    + MAX_PIXELS_PROPERTY + "=<pixels>");
        }
        checkArray("resized image", toWidth, toHeight);
    }

    /** The length of a {@code width x height x channels} buffer, or a clear error if no array can hold it. */
    static int bufferLength(Object what, long width, long height, int channels) {
        if (width < 0 || height < 0) {
            throw new IllegalArgumentException(what + ": invalid size " + width + "x" + height);
        }
        // width and height are each below 2^31, so the product of all three fits in a long.
        long length = width * height * channels;
        if (length > MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException(what + ": " + width + "x" + height + " pixels need " + length
                    + " bytes, more than one Java array holds (" + MAX_ARRAY_LENGTH + ")");
        }
        return (int) length;
    }

    private static void checkArray(Object what, long width, long height) {
        if (width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(what + ": size " + width + "x" + height + " is out of range");
        }
        bufferLength(what, width, height, 3);
    }

    private static String megapixels(long pixels) {
        return String.format(java.util.Locale.ROOT, "%.1f megapixels", pixels / 1e6);
    }
}
