package org.lvlmworkbench.app.widgets;

/**
 * Where a heatmap's cells lie on its canvas: a {@code rows × cols} grid filling the rectangle at
 * {@code (x, y)} of {@code width × height}, row 0 at the top. Pure arithmetic, so hit testing is
 * testable without a display.
 */
public record HeatmapGeometry(double x, double y, double width, double height, int rows, int cols) {

    public double cellWidth() {
        return width / cols;
    }

    public double cellHeight() {
        return height / rows;
    }

    public double cellX(int col) {
        return x + col * cellWidth();
    }

    public double cellY(int row) {
        return y + row * cellHeight();
    }

    public double centerX(int col) {
        return cellX(col) + cellWidth() / 2;
    }

    public double centerY(int row) {
        return cellY(row) + cellHeight() / 2;
    }

    /** {@code {row, col}} of the cell under {@code (px, py)}, or null outside the grid. */
    public int[] cellAt(double px, double py) {
        if (rows == 0 || cols == 0 || !(px >= x && px < x + width && py >= y && py < y + height)) {
            return null;
        }
        int col = Math.min(cols - 1, (int) ((px - x) / cellWidth()));
        int row = Math.min(rows - 1, (int) ((py - y) / cellHeight()));
        return new int[] {row, col};
    }
}
