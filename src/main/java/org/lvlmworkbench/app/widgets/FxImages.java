package org.lvlmworkbench.app.widgets;

import javafx.scene.image.PixelWriter;
import javafx.scene.image.WritableImage;
import org.lvlmworkbench.core.processing.RgbImage;

/** Core images as JavaFX images. */
public final class FxImages {

    private FxImages() {
    }

    /** The same pixels, one to one; widgets scale it when they draw. */
    public static WritableImage of(RgbImage img) {
        WritableImage out = new WritableImage(img.width(), img.height());
        PixelWriter w = out.getPixelWriter();
        for (int y = 0; y < img.height(); y++) {
            for (int x = 0; x < img.width(); x++) {
                w.setArgb(x, y, 0xff000000 | img.get(x, y, 0) << 16 | img.get(x, y, 1) << 8 | img.get(x, y, 2));
            }
        }
        return out;
    }
}
