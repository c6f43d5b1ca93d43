package org.lvlmworkbench.core.processing;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReadParam;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;

/** An 8-bit RGB image, row-major, three bytes a pixel. */
public record RgbImage(int width, int height, byte[] rgb) {

    public RgbImage {
        if (rgb == null || width <= 0 || height <= 0 || rgb.length != (long) width * height * 3) {
            throw new IllegalArgumentException("RGB buffer of " + (rgb == null ? "null" : rgb.length + " bytes")
                    + " does not fit " + width + "x" + height);
        }
    }

    public int get(int x, int y, int channel) {
        return rgb[(y * width + x) * 3 + channel] & 0xff;
    }

    /**
     * Reads an image file and converts it to RGB exactly as Pillow's
     * {@code Image.open(file).convert("RGB")} does: raw sample values, no colour management (ICC
     * profiles, gAMA and Java's linear-gray colour space are ignored), alpha dropped without
     * compositing, palettes looked up. The header is checked against {@link ImageLimits} before any
     * pixel is decoded. Every failure is an {@link IllegalArgumentException} whose message names the file.
     */
    public static RgbImage read(Path file) {
        if (!Files.exists(file)) {
            throw new IllegalArgumentException(file + ": image file does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": is not a regular file, so not an image");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(32);
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": cannot read the image file: " + e.getMessage(), e);
        }
        if (head.length == 0) {
            throw new IllegalArgumentException(file + ": the file is empty (0 bytes), not an image");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new IllegalArgumentException(file + ": cannot open the image file");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new IllegalArgumentException(file + ": " + unknownFormat(head));
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, false);
                return decode(file, reader, isSixteenBitGrayPng(head));
            } finally {
                reader.dispose();
            }
        } catch (IOException e) {
            // Only ImageInputStream's own open/close get here; decoding errors are handled in decode.
            throw new IllegalArgumentException(file + ": cannot read the image file: " + e.getMessage(), e);
        }
    }

    private static RgbImage decode(Path file, ImageReader reader, boolean sixteenBitGrayPng) {
        String format = formatName(reader);
        int width;
        int height;
        try {
            width = reader.getWidth(0);
            height = reader.getHeight(0);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + format + " header is corrupt or truncated: " + describe(e), e);
        }
        // Before a single pixel is allocated: a tiny file can claim an enormous size.
        ImageLimits.checkImage(file, width, height);

        List<String> warnings = new ArrayList<>();
        reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
        BufferedImage img;
        try {
            img = reader.read(0, readParam(reader));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": " + format + " image data is corrupt or truncated: " + describe(e), e);
        } catch (OutOfMemoryError e) {
            throw new IllegalArgumentException(file + ": not enough memory to decode this " + width + "x" + height
                    + " image; give Java more heap (-Xmx) or lower -D" + ImageLimits.MAX_PIXELS_PROPERTY, e);
        }
        if (img == null) {
            throw new IllegalArgumentException(file + ": " + format + " image could not be decoded");
        }
        for (String w : warnings) {
            String lower = w.toLowerCase(Locale.ROOT);
            // Java's JPEG reader fills a truncated file with gray and only warns; Pillow refuses it.
            if (lower.contains("premature end") || lower.contains("truncated")) {
                throw new IllegalArgumentException(file + ": " + format + " image is truncated (" + w + ")");
            }
        }
        return convert(file, img, sixteenBitGrayPng);
    }

    /**
     * For JPEG, asks for the decoder's own output (RGB, gray or CMYK) unchanged: naming the bands
     * turns off the colour conversion Java would otherwise apply for an embedded ICC profile, which
     * Pillow ignores.
     */
    private static ImageReadParam readParam(ImageReader reader) throws IOException {
        ImageReadParam param = reader.getDefaultReadParam();
        if (!"jpeg".equalsIgnoreCase(reader.getFormatName())) {
            return param;
        }
        Iterator<ImageTypeSpecifier> types = reader.getImageTypes(0);
        if (types.hasNext()) {
            int bands = types.next().getNumBands();
            int[] identity = new int[bands];
            for (int i = 0; i < bands; i++) {
                identity[i] = i;
            }
            param.setSourceBands(identity);
            param.setDestinationBands(identity);
        }
        return param;
    }

    /** Converts to RGB the way Pillow's {@code convert("RGB")} does: see {@link #read(Path)}. */
    public static RgbImage fromBufferedImage(BufferedImage img) {
        return convert("image", img, false);
    }

    /**
     * The conversion, from raw Raster samples (never {@code getRGB}, which colour-manages: an 8-bit
     * gray 50 would come back as 122). Pillow's rules, checked against Pillow 12:
     * <ul>
     * <li>palette (P, and 1/2/4-bit gray, which Java reads as a gray palette): palette lookup;
     * transparency ignored;</li>
     * <li>gray (L, LA): the value copied to R, G and B; alpha dropped;</li>
     * <li>RGB, RGBA: alpha dropped, no compositing;</li>
     * <li>16-bit gray (Pillow's 'I;16'): clipped to 255, not scaled; 16-bit gray+alpha, RGB and
     * RGBA: the high byte;</li>
     * <li>fewer than 8 bits (BMP 5:5:5, 5:6:5): {@code v * 255 / (2^bits - 1)}, truncated;</li>
     * <li>CMYK (JPEG; Java and Pillow both undo Adobe's inversion): {@code R = (255-K) -
     * round(C * (255-K) / 255)} with Pillow's MULDIV255 rounding, likewise G from M and B from Y.</li>
     * </ul>
     */
    private static RgbImage convert(Object what, BufferedImage img, boolean sixteenBitGrayPng) {
        int w = img.getWidth();
        int h = img.getHeight();
        ImageLimits.checkImage(what, w, h);
        Raster raster = img.getRaster();
        ColorModel cm = img.getColorModel();
        byte[] out = new byte[ImageLimits.bufferLength(what, w, h, 3)];
        int[] row = new int[w];

        if (cm instanceof IndexColorModel icm) {
            int[] lut = new int[icm.getMapSize()];
            icm.getRGBs(lut);
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                int o = y * w * 3;
                for (int x = 0; x < w; x++, o += 3) {
                    int idx = row[x];
                    int argb = idx >= 0 && idx < lut.length ? lut[idx] : 0;
                    out[o] = (byte) (argb >> 16);
                    out[o + 1] = (byte) (argb >> 8);
                    out[o + 2] = (byte) argb;
                }
            }
            return new RgbImage(w, h, out);
        }

        int dataType = raster.getDataBuffer().getDataType();
        if (dataType != DataBuffer.TYPE_BYTE && dataType != DataBuffer.TYPE_USHORT && dataType != DataBuffer.TYPE_INT) {
            throw unsupported(what, cm, "floating-point or signed samples");
        }
        int colorBands = cm.getNumColorComponents();
        int csType = cm.getColorSpace().getType();
        int[] bits = raster.getSampleModel().getSampleSize();
        if (raster.getNumBands() < colorBands) {
            throw unsupported(what, cm, raster.getNumBands() + " bands for " + colorBands + " colour components");
        }
        for (int b = 0; b < colorBands; b++) {
            if (bits[b] < 1 || bits[b] > 16) {
                throw unsupported(what, cm, bits[b] + "-bit samples");
            }
        }

        if (csType == ColorSpace.TYPE_GRAY && colorBands == 1) {
            // Pillow opens a 16-bit gray image as 'I;16' (clipped to 8 bits by convert), even when a
            // PNG tRNS chunk made Java add an alpha band; 16-bit gray+alpha it opens as RGBA (high byte).
            boolean clip = bits[0] == 16 && (raster.getNumBands() == 1 || sixteenBitGrayPng);
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 0, row);
                int o = y * w * 3;
                for (int x = 0; x < w; x++, o += 3) {
                    byte v = (byte) (clip ? Math.min(row[x], 255) : to8Bits(row[x], bits[0]));
                    out[o] = v;
                    out[o + 1] = v;
                    out[o + 2] = v;
                }
            }
        } else if (csType == ColorSpace.TYPE_RGB && colorBands == 3) {
            for (int y = 0; y < h; y++) {
                int base = y * w * 3;
                for (int b = 0; b < 3; b++) {
                    raster.getSamples(0, y, w, 1, b, row);
                    for (int x = 0, o = base + b; x < w; x++, o += 3) {
                        out[o] = (byte) to8Bits(row[x], bits[b]);
                    }
                }
            }
        } else if (csType == ColorSpace.TYPE_CMYK && colorBands == 4 && bits[0] == 8 && bits[1] == 8
                && bits[2] == 8 && bits[3] == 8) {
            int[] k = new int[w];
            for (int y = 0; y < h; y++) {
                raster.getSamples(0, y, w, 1, 3, k);
                int base = y * w * 3;
                for (int b = 0; b < 3; b++) {
                    raster.getSamples(0, y, w, 1, b, row);
                    for (int x = 0, o = base + b; x < w; x++, o += 3) {
                        int nk = 255 - k[x];
                        int t = row[x] * nk + 128;
                        out[o] = (byte) Math.max(0, nk - (((t >> 8) + t) >> 8));
                    }
                }
            }
        } else {
            throw unsupported(what, cm, colorBands + " colour components");
        }
        return new RgbImage(w, h, out);
    }

    /** Pillow's unpackers: 8 bits as is, fewer scaled up with truncation, more reduced to the high byte. */
    private static int to8Bits(int v, int bits) {
        if (bits == 8) {
            return v & 0xff;
        }
        if (bits < 8) {
            return v * 255 / ((1 << bits) - 1);
        }
        return (v >>> (bits - 8)) & 0xff;
    }

    private static IllegalArgumentException unsupported(Object what, ColorModel cm, String detail) {
        String space = switch (cm.getColorSpace().getType()) {
            case ColorSpace.TYPE_RGB -> "RGB";
            case ColorSpace.TYPE_GRAY -> "gray";
            case ColorSpace.TYPE_CMYK -> "CMYK";
            case ColorSpace.TYPE_YCbCr -> "YCbCr";
            case ColorSpace.TYPE_Lab -> "Lab";
            default -> "colour space type " + cm.getColorSpace().getType();
        };
        return new IllegalArgumentException(what + ": unsupported colour model (" + space + ", " + detail
                + "); convert the image to 8-bit RGB (PNG or JPEG) first");
    }

    /** Pillow opens a PNG with colour type 0 (gray) and bit depth 16 as 'I;16', whatever its tRNS. */
    private static boolean isSixteenBitGrayPng(byte[] head) {
        return head.length >= 26 && (head[0] & 0xff) == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G'
                && head[12] == 'I' && head[13] == 'H' && head[14] == 'D' && head[15] == 'R'
                && head[24] == 16 && head[25] == 0;
    }

    private static String unknownFormat(byte[] head) {
        String ascii = new String(head, StandardCharsets.ISO_8859_1);
        if (ascii.startsWith("RIFF") && ascii.startsWith("WEBP", 8)) {
            return "WebP images are not supported; convert it to PNG or JPEG";
        }
        if (ascii.startsWith("ftyp", 4) && ascii.startsWith("avif", 8)) {
            return "AVIF images are not supported; convert it to PNG or JPEG";
        }
        if (ascii.startsWith("ftyp", 4)) {
            return "HEIF/HEIC or other ISO-media files are not supported; convert it to PNG or JPEG";
        }
        if (ascii.startsWith("\u0089PNG") || ascii.startsWith("\u00ff\u00d8")) {
            return "the file starts like a PNG or JPEG but its header is corrupt";
        }
        return "not an image file, or not a format this reader knows (PNG, JPEG, GIF, BMP, TIFF, WBMP)";
    }

    private static String formatName(ImageReader reader) {
        try {
            return reader.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    private static String describe(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
            String msg = t.getMessage();
            if (sb.length() > 0) {
                sb.append(": ");
            }
            sb.append(msg == null || msg.isBlank() ? t.getClass().getSimpleName() : msg);
            if (t.getCause() == t) {
                break;
            }
        }
        return sb.toString();
    }

    public BufferedImage toBufferedImage() {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        int[] px = new int[width * height];
        for (int i = 0; i < px.length; i++) {
            px[i] = ((rgb[i * 3] & 0xff) << 16) | ((rgb[i * 3 + 1] & 0xff) << 8) | (rgb[i * 3 + 2] & 0xff);
        }
        img.setRGB(0, 0, width, height, px, 0, width);
        return img;
    }

    public void writePng(Path file) {
        try {
            ImageIO.write(toBufferedImage(), "png", file.toFile());
        } catch (IOException e) {
            throw new IllegalStateException(file + ": cannot write image: " + e.getMessage(), e);
        }
    }
}
