package org.lvlmworkbench.core.processing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.lvlmworkbench.core.config.ConfigException;
import org.lvlmworkbench.core.config.JsonFields;

/**
 * HF {@code CLIPImageProcessor}: resize so the shortest edge has a given length (or to a fixed
 * size), center-crop, rescale to [0, 1], normalize per channel. Produces {@code [3, H, W]} float32.
 */
public final class ClipImageProcessor {

    public static final String FILE = "preprocessor_config.json";
    static final double[] CLIP_MEAN = {0.48145466, 0.4578275, 0.40821073};
    static final double[] CLIP_STD = {0.26862954, 0.26130258, 0.27577711};

    private final boolean doResize;
    private final int shortestEdge;
    private final int resizeHeight;
    private final int resizeWidth;
    private final PilResampler.Filter filter;
    private final boolean doCenterCrop;
    private final int cropHeight;
    private final int cropWidth;
    private final boolean doRescale;
    private final double rescaleFactor;
    private final boolean doNormalize;
    private final double[] mean;
    private final double[] std;

    private ClipImageProcessor(JsonFields f) {
        String type = f.string("image_processor_type", "CLIPImageProcessor");
        if (!List.of("CLIPImageProcessor", "CLIPImageProcessorFast").contains(type)) {
            throw f.error("image_processor_type", "'" + type + "' is not supported yet (CLIPImageProcessor)");
        }
        doResize = f.bool("do_resize", true);
        if (f.has("size") && !f.raw().get("size").isJsonObject()) {
            int s = f.positive("size", 224);
            shortestEdge = s;
            resizeHeight = 0;
            resizeWidth = 0;
        } else if (f.has("size")) {
            JsonFields size = f.object("size");
            if (size.has("shortest_edge")) {
                shortestEdge = size.positive("shortest_edge", 224);
                resizeHeight = 0;
                resizeWidth = 0;
            } else {
                shortestEdge = 0;
                resizeHeight = size.positive("height", 224);
                resizeWidth = size.positive("width", 224);
            }
        } else {
            shortestEdge = 224;
            resizeHeight = 0;
            resizeWidth = 0;
        }
        int resample = f.integer("resample", 3);
        filter = PilResampler.Filter.fromCode(resample);
        if (filter == null) {
            throw f.error("resample", "Pillow filter " + resample + " is not supported (0 nearest, 2 bilinear, 3 bicubic)");
        }
        doCenterCrop = f.bool("do_center_crop", true);
        if (f.has("crop_size") && f.raw().get("crop_size").isJsonObject()) {
            JsonFields crop = f.object("crop_size");
            cropHeight = crop.positive("height", 224);
            cropWidth = crop.positive("width", 224);
        } else {
            cropHeight = f.positive("crop_size", 224);
            cropWidth = cropHeight;
        }
        doRescale = f.bool("do_rescale", true);
        rescaleFactor = f.number("rescale_factor", 1 / 255.0);
        doNormalize = f.bool("do_normalize", true);
        mean = f.has("image_mean") ? f.numbers("image_mean") : CLIP_MEAN;
        std = f.has("image_std") ? f.numbers("image_std") : CLIP_STD;
        if (mean.length != 3) {
            throw f.error("image_mean", "must have 3 values, found " + mean.length);
        }
        if (std.length != 3) {
            throw f.error("image_std", "must have 3 values, found " + std.length);
        }
        for (double s : std) {
            if (s <= 0) {
                throw f.error("image_std", "values must be positive");
            }
        }
    }

    /** transformers 5 {@code processor.save_pretrained} nests the settings here and writes no {@link #FILE}. */
    public static final String PROCESSOR_FILE = "processor_config.json";

    /**
     * Reads the settings as transformers 5.18 does ({@code ImageProcessingMixin.get_image_processor_dict}):
     * the {@code image_processor} object of {@code processor_config.json} when there is one, else
     * {@code preprocessor_config.json}.
     */
    public static ClipImageProcessor load(Path folder) {
        Path nested = folder.resolve(PROCESSOR_FILE);
        if (Files.isRegularFile(nested)) {
            JsonFields processor = JsonFields.read(nested);
            if (processor.has("image_processor")) {
                return new ClipImageProcessor(processor.object("image_processor"));
            }
        }
        Path file = folder.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file, null, "file is missing, and " + PROCESSOR_FILE
                    + " has no \"image_processor\" object either: the image processor's settings are in neither");
        }
        return new ClipImageProcessor(JsonFields.read(file));
    }

    public static ClipImageProcessor parse(JsonFields f) {
        return new ClipImageProcessor(f);
    }

    /** Height and width of the processed image. */
    public int[] outputSize() {
        if (doCenterCrop) {
            return new int[] {cropHeight, cropWidth};
        }
        if (shortestEdge == 0) {
            return new int[] {resizeHeight, resizeWidth};
        }
        return new int[] {shortestEdge, shortestEdge};
    }

    /** The pixel values as {@code [3, H, W]} floats, channel-major. */
    public float[] preprocess(RgbImage image) {
        RgbImage img = resizedAndCropped(image);
        int n = img.width() * img.height();
        float[] out = new float[3 * n];
        for (int i = 0; i < n; i++) {
            for (int c = 0; c < 3; c++) {
                // transformers' rounding: rescale in float64, cast to float32, normalise in float32.
                int x = img.rgb()[i * 3 + c] & 0xff;
                float v = doRescale ? (float) (x * rescaleFactor) : x;
                if (doNormalize) {
                    v = (v - (float) mean[c]) / (float) std[c];
                }
                out[c * n + i] = v;
            }
        }
        return out;
    }

    /** The image resized and cropped as the tower sees it, before rescaling and normalisation. */
    public RgbImage resizedAndCropped(RgbImage image) {
        RgbImage img = image;
        if (doResize) {
            int w;
            int h;
            if (shortestEdge > 0) {
                int shortSide = Math.min(img.width(), img.height());
                int longSide = Math.max(img.width(), img.height());
                // long: a 1x1000000 strip asks for 336x336000000, which must be refused, not overflow.
                long newLong = (long) shortestEdge * longSide / shortSide;
                boolean landscape = img.width() >= img.height();
                long longW = landscape ? newLong : shortestEdge;
                long longH = landscape ? shortestEdge : newLong;
                ImageLimits.checkResize(img.width(), img.height(), longW, longH);
                w = (int) longW;
                h = (int) longH;
            } else {
                w = resizeWidth;
                h = resizeHeight;
            }
            img = PilResampler.resize(img, w, h, filter);
        }
        if (doCenterCrop) {
            img = centerCrop(img, cropWidth, cropHeight);
        }
        return img;
    }

    /** A batch of images as {@code [N, 3, H, W]}. */
    public NDArray toPixelValues(List<RgbImage> images, NDManager manager) {
        int[] hw = outputSize();
        int per = 3 * hw[0] * hw[1];
        float[] all = new float[images.size() * per];
        for (int i = 0; i < images.size(); i++) {
            float[] one = preprocess(images.get(i));
            if (one.length != per) {
                throw new IllegalStateException("processed image has " + one.length + " values, expected " + per);
            }
            System.arraycopy(one, 0, all, i * per, per);
        }
        return manager.create(all, new Shape(images.size(), 3, hw[0], hw[1]));
    }

    /** HF's center_crop: pads with zeros when the image is smaller than the crop. */
    static RgbImage centerCrop(RgbImage img, int width, int height) {
        if (img.width() == width && img.height() == height) {
            return img;
        }
        byte[] out = new byte[width * height * 3];
        int top = (img.height() - height) / 2;
        int left = (img.width() - width) / 2;
        if (img.height() < height) {
            top = -((height - img.height() + 1) / 2);
        }
        if (img.width() < width) {
            left = -((width - img.width() + 1) / 2);
        }
        for (int y = 0; y < height; y++) {
            int sy = y + top;
            if (sy < 0 || sy >= img.height()) {
                continue;
            }
            for (int x = 0; x < width; x++) {
                int sx = x + left;
                if (sx >= 0 && sx < img.width()) {
                    System.arraycopy(img.rgb(), (sy * img.width() + sx) * 3, out, (y * width + x) * 3, 3);
                }
            }
        }
        return new RgbImage(width, height, out);
    }
}
