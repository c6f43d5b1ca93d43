package org.lvlmworkbench.core.processing;

/**
 * Image resizing that reproduces Pillow's {@code Image.resize} for 8-bit images: separable
 * convolution whose kernel widens when shrinking (antialiasing), fixed-point coefficients, and an
 * 8-bit intermediate after the horizontal pass. HF image processors resize with Pillow, so matching
 * it keeps our pixel values within a rounding step of theirs.
 */
public final class PilResampler {

    /** Pillow's resample codes, as stored in {@code preprocessor_config.json}. */
    public enum Filter {
        NEAREST(0, 0), BILINEAR(2, 1), BICUBIC(3, 2);

        final int code;
        final double support;

        Filter(int code, double support) {
            this.code = code;
            this.support = support;
        }

        public static Filter fromCode(int code) {
            for (Filter f : values()) {
                if (f.code == code) {
                    return f;
                }
            }
            return null;
        }

        double weight(double x) {
            x = Math.abs(x);
            return switch (this) {
                case NEAREST -> x < 0.5 ? 1 : 0;
                case BILINEAR -> x < 1 ? 1 - x : 0;
                case BICUBIC -> {
                    double a = -0.5;
                    if (x < 1) {
                        yield ((a + 2) * x - (a + 3)) * x * x + 1;
                    }
                    if (x < 2) {
                        yield (((x - 5) * x + 8) * x - 4) * a;
                    }
                    yield 0;
                }
            };
        }
    }

    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PilResampler() {
    }

    /**
     * Resizes to {@code width x height}. Refuses, with a clear message, a target (or the horizontal
     * pass's intermediate, {@code width x src.height()}) above {@link ImageLimits#maxPixels()}.
     */
    public static RgbImage resize(RgbImage src, int width, int height, Filter filter) {
        if (width == src.width() && height == src.height()) {
            return src;
        }
        ImageLimits.checkResize(src.width(), src.height(), width, height);
        if (filter == Filter.NEAREST) {
            return nearest(src, width, height);
        }
        if (width != src.width() && height != src.height()) {
            ImageLimits.checkResize(src.width(), src.height(), width, src.height());
        }
        RgbImage horizontal = width == src.width() ? src : pass(src, width, filter, true);
        return height == src.height() ? horizontal : pass(horizontal, height, filter, false);
    }

    private record Coefficients(int[] bounds, int[] kernels, int ksize) {
    }

    private static Coefficients coefficients(int inSize, int outSize, Filter filter) {
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filter.support * filterScale;
        // Shrinking 1000000 pixels to 1 widens the kernel to 2 million taps: size the tables in long.
        long taps = (long) Math.ceil(support) * 2 + 1;
        if (taps * outSize > ImageLimits.MAX_ARRAY_LENGTH) {
            throw new IllegalArgumentException("cannot resize " + inSize + " pixels to " + outSize
                    + ": the filter table would need " + taps * outSize + " entries");
        }
        int ksize = (int) taps;
        int[] bounds = new int[Math.multiplyExact(outSize, 2)];
        int[] kernels = new int[outSize * ksize];
        double[] k = new double[ksize];
        for (int xx = 0; xx < outSize; xx++) {
            double center = (xx + 0.5) * scale;
            double ss = 1.0 / filterScale;
            int xmin = Math.max((int) (center - support + 0.5), 0);
            int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
            double ww = 0;
            for (int x = 0; x < xmax; x++) {
                double w = filter.weight((x + xmin - center + 0.5) * ss);
                k[x] = w;
                ww += w;
            }
            for (int x = 0; x < xmax; x++) {
                double normalized = ww == 0 ? k[x] : k[x] / ww;
                double fixed = normalized * (1 << PRECISION_BITS);
                kernels[xx * ksize + x] = (int) (normalized < 0 ? fixed - 0.5 : fixed + 0.5);
            }
            bounds[xx * 2] = xmin;
            bounds[xx * 2 + 1] = xmax;
        }
        return new Coefficients(bounds, kernels, ksize);
    }

    private static RgbImage pass(RgbImage src, int outSize, Filter filter, boolean horizontal) {
        int inSize = horizontal ? src.width() : src.height();
        Coefficients c = coefficients(inSize, outSize, filter);
        int outW = horizontal ? outSize : src.width();
        int outH = horizontal ? src.height() : outSize;
        byte[] out = new byte[ImageLimits.bufferLength("resized image", outW, outH, 3)];
        byte[] in = src.rgb();
        for (int y = 0; y < outH; y++) {
            for (int x = 0; x < outW; x++) {
                int o = horizontal ? x : y;
                int min = c.bounds[o * 2];
                int len = c.bounds[o * 2 + 1];
                for (int ch = 0; ch < 3; ch++) {
                    long ss = 1L << (PRECISION_BITS - 1);
                    for (int i = 0; i < len; i++) {
                        int sx = horizontal ? min + i : x;
                        int sy = horizontal ? y : min + i;
                        ss += (long) (in[(sy * src.width() + sx) * 3 + ch] & 0xff) * c.kernels[o * c.ksize + i];
                    }
                    long v = ss >> PRECISION_BITS;
                    out[(y * outW + x) * 3 + ch] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        }
        return new RgbImage(outW, outH, out);
    }

    private static RgbImage nearest(RgbImage src, int width, int height) {
        byte[] out = new byte[ImageLimits.bufferLength("resized image", width, height, 3)];
        for (int y = 0; y < height; y++) {
            int sy = Math.min(src.height() - 1, (int) ((y + 0.5) * src.height() / height));
            for (int x = 0; x < width; x++) {
                int sx = Math.min(src.width() - 1, (int) ((x + 0.5) * src.width() / width));
                System.arraycopy(src.rgb(), (sy * src.width() + sx) * 3, out, (y * width + x) * 3, 3);
            }
        }
        return new RgbImage(width, height, out);
    }
}
