package org.lvlmworkbench.app.widgets;

import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.render.ValueRange;

/**
 * An image with a {@code rows × cols} grid over it (an image's patches as the vision tower cuts them),
 * optionally a value per cell drawn as a semi-transparent colour map with a colour bar. Small images
 * are scaled by whole pixels so they stay crisp. Hovering reads out the cell (and its value).
 */
public final class PatchOverlayView extends CellGridWidget {

    /** Names a cell in the read-out, e.g. "patch (2, 3) · image token 17". */
    @FunctionalInterface
    public interface CellLabeler {
        String label(int row, int col);
    }

    private static final Color FRAME = Color.web("#11141b");

    private WritableImage image;
    private int rows;
    private int cols;
    private double[][] values;
    private double opacity = 0.55;
    private boolean showGrid = true;
    private CellLabeler labeler = (r, c) -> "row " + r + ", col " + c;
    private String noValueText;

    public PatchOverlayView() {
        super("patch-overlay-view", "patches.png");
        setPrefSize(400, 400);
    }

    /** The picture under the grid, or null for none. */
    public void setImage(RgbImage rgb) {
        this.image = rgb == null ? null : FxImages.of(rgb);
        redraw();
    }

    public boolean hasImage() {
        return image != null;
    }

    /** The grid over the image; 0 × 0 for none. Clears values that no longer fit. */
    public void setGrid(int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("a patch grid needs rows, cols >= 0, got " + rows + " × " + cols);
        }
        this.rows = rows;
        this.cols = cols;
        if (values != null && (values.length != rows || values[0].length != cols)) {
            values = null;
        }
        clearHoveredItem();
        redraw();
    }

    /** A value per cell, {@code [rows][cols]} of the current grid, or null to show the grid alone. */
    public void setValues(double[][] values) {
        if (values != null) {
            if (values.length != rows) {
                throw new IllegalArgumentException("overlay values have " + values.length + " rows, the grid has " + rows);
            }
            double[][] copy = new double[rows][];
            for (int r = 0; r < rows; r++) {
                if (values[r].length != cols) {
                    throw new IllegalArgumentException("overlay row " + r + " has " + values[r].length
                            + " values, the grid has " + cols + " columns");
                }
                copy[r] = values[r].clone();
            }
            values = copy;
        }
        this.values = values;
        redraw();
    }

    /** How opaque the colour cells are over the image, in [0, 1]; 0.55 by default. */
    public void setOverlayOpacity(double opacity) {
        this.opacity = Math.max(0, Math.min(1, opacity));
        redraw();
    }

    public void setShowGrid(boolean show) {
        this.showGrid = show;
        redraw();
    }

    public void setCellLabeler(CellLabeler labeler) {
        this.labeler = labeler;
    }

    /**
     * What a cell without a value (NaN, drawn clear) reads as, e.g. "kept to the end" where only the
     * removed patches are shaded; null for the usual "no value".
     */
    public void setNoValueText(String text) {
        this.noValueText = text;
    }

    @Override
    protected void draw(GraphicsContext g, double w, double h) {
        ValueRange range = values == null ? null : colorRange(values);
        double bar = range == null ? 0 : colorBarWidth(range, h - 16) + 16;
        double boxW = w - bar;
        g.setFill(FRAME);
        g.fillRect(0, 0, boxW, h);
        double iw = image != null ? image.getWidth() : cols;
        double ih = image != null ? image.getHeight() : rows;
        if (iw == 0 || ih == 0) {
            setGeometry(NO_CELLS);
            g.setFill(Color.gray(0.7));
            g.setTextAlign(TextAlignment.CENTER);
            g.setTextBaseline(VPos.CENTER);
            g.fillText("no image", boxW / 2, h / 2);
            return;
        }
        double scale = Math.min((boxW - 16) / iw, (h - 16) / ih);
        if (image != null && scale >= 1) {
            scale = Math.floor(scale);
        }
        double dw = iw * scale;
        double dh = ih * scale;
        double x = Math.round((boxW - dw) / 2);
        double y = Math.round((h - dh) / 2);
        HeatmapGeometry geometry = new HeatmapGeometry(x, y, dw, dh, rows, cols);
        setGeometry(geometry);
        if (image != null) {
            g.setImageSmoothing(scale < 1);
            g.drawImage(image, x, y, dw, dh);
        }
        if (range != null) {
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    g.setFill(colorMap().color(range.fraction(values[r][c]), opacity));
                    g.fillRect(geometry.cellX(c), geometry.cellY(r), geometry.cellWidth(), geometry.cellHeight());
                }
            }
        }
        if (showGrid && rows > 0 && cols > 0) {
            drawGrid(g, geometry);
        }
        int[] hovered = hoveredItem();
        if (hovered != null) {
            g.setStroke(Color.WHITE);
            g.setLineWidth(2);
            g.strokeRect(geometry.cellX(hovered[1]) + 1, geometry.cellY(hovered[0]) + 1,
                    geometry.cellWidth() - 2, geometry.cellHeight() - 2);
        }
        if (range != null) {
            drawColorBar(g, range, boxW + 14, 8, h - 16);
        }
    }

    @Override
    protected String describe(int[] cell) {
        String name = labeler.label(cell[0], cell[1]);
        double v = values == null ? Double.NaN : values[cell[0]][cell[1]];
        if (values == null) {
            return name;
        }
        return name + ": " + (Double.isNaN(v) && noValueText != null ? noValueText : valueText(v));
    }

    private void drawGrid(GraphicsContext g, HeatmapGeometry geometry) {
        g.setStroke(Color.gray(1, 0.35));
        g.setLineWidth(1);
        for (int c = 0; c <= cols; c++) {
            double x = Math.round(geometry.cellX(c)) + 0.5;
            g.strokeLine(x, geometry.y(), x, geometry.y() + geometry.height());
        }
        for (int r = 0; r <= rows; r++) {
            double y = Math.round(geometry.cellY(r)) + 0.5;
            g.strokeLine(geometry.x(), y, geometry.x() + geometry.width(), y);
        }
    }
}
