package org.lvlmworkbench.app;

import javafx.scene.image.PixelWriter;
import javafx.scene.image.WritableImage;
import org.lvlmworkbench.core.processing.RgbImage;

/** Core images to JavaFX images, scaled up by whole pixels so small images stay crisp. */
final class ImageConversion {

    private ImageConversion() {
    }

    static WritableImage toFxImage(RgbImage img, int maxScale) {
        int scale = Math.max(1, Math.min(maxScale, 384 / Math.max(img.width(), img.height())));
        WritableImage out = new WritableImage(img.width() * scale, img.height() * scale);
        PixelWriter w = out.getPixelWriter();
        for (int y = 0; y < img.height() * scale; y++) {
            for (int x = 0; x < img.width() * scale; x++) {
                int sx = x / scale;
                int sy = y / scale;
                int argb = 0xff000000 | img.get(sx, sy, 0) << 16 | img.get(sx, sy, 1) << 8 | img.get(sx, sy, 2);
                w.setArgb(x, y, argb);
            }
        }
        return out;
    }
}
