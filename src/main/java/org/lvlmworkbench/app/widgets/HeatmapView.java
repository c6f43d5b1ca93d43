package org.lvlmworkbench.app.widgets;

import java.util.ArrayList;
import java.util.List;
import javafx.geometry.VPos;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.image.PixelWriter;
import javafx.scene.image.WritableImage;
import javafx.scene.paint.Color;
import javafx.scene.text.TextAlignment;
import org.lvlmworkbench.core.render.ValueRange;

/**
 * A matrix of values as coloured cells with row and column labels and a colour bar. Hovering shows
 * "row · column: value unit"; a click selects the cell (outlined) and tells the
 * {@link #setOnCellClicked listener}. NaN cells mean "no value" and stay grey. Labels are thinned
 * when the cells are smaller than the text, so a 576 × 576 map stays readable. {@link Mark}s draw a
 * line along a cell's left edge (where a stage begins) and add their label to its read-out.
 */
public final class HeatmapView extends CellGridWidget {

    /**
     * A boundary drawn on the left edge of cell {@code (row, col)}: white, or orange-red when
     * {@code alert}; {@code label} joins the cell's read-out ("critical", "mutation").
     */
    public record Mark(int row, int col, String label, boolean alert) {
    }

    private static final Color NO_VALUE = Color.web("#eceef3");
    private static final Color ALERT = Color.web("#ff5a36");

    private double[][] values = new double[0][0];
    private List<String> rowLabels = List.of();
    private List<String> columnLabels = List.of();
    private List<Mark> marks = List.of();
    private String placeholder = "no data";
    private int selectedRow = -1;
    private int selectedCol = -1;
    private WritableImage cells;
    /** Range selection along the diagonal (a square block of a symmetric matrix); off by default. */
    private RangeListener onRangeSelected;
    private int[] dragStart;
    private int rangeFrom = -1;
    private int rangeTo = -1;

    /** Told of a range of rows (and the same columns) picked by dragging, {@code from ≤ to}. */
    @FunctionalInterface
    public interface RangeListener {
        void rangeSelected(int from, int to);
    }

    public HeatmapView() {
        super("heatmap-view", "heatmap.png");
    }

    /**
     * Replaces the matrix and clears the {@link #setMarks marks}.
     *
     * @param values       {@code [rows][cols]}, NaN where there is no value
     * @param rowLabels    one per row, or null for 0, 1, 2…
     * @param columnLabels one per column, or null for 0, 1, 2…
     */
    public void setData(double[][] values, List<String> rowLabels, List<String> columnLabels) {
        int rows = values.length;
        int cols = rows == 0 ? 0 : values[0].length;
        double[][] copy = new double[rows][];
        for (int r = 0; r < rows; r++) {
            if (values[r].length != cols) {
                throw new IllegalArgumentException("heatmap row " + r + " has " + values[r].length
                        + " values, row 0 has " + cols);
            }
            copy[r] = values[r].clone();
        }
        this.rowLabels = labels(rowLabels, rows, "row");
        this.columnLabels = labels(columnLabels, cols, "column");
        this.values = copy;
        this.marks = List.of();
        if (selectedRow >= rows || selectedCol >= cols) {
            clearSelection();
        }
        contentChanged();
    }

    /**
     * Shows {@code data} whole: its values and labels, its fixed range (or the data's own when it
     * has none), its caption and its marks. The selection is kept when it still fits.
     */
    public void show(HeatmapData data) {
        setData(data.values(), data.rowLabels(), data.columnLabels());
        setScale(data.range(), data.valueLabel(), data.unit());
        setMarks(data.marks());
    }

    /** Boundaries on cells of the current matrix (see {@link Mark}); marks outside it are refused. */
    public void setMarks(List<Mark> marks) {
        for (Mark m : marks) {
            if (m.row() < 0 || m.row() >= values.length || m.col() < 0 || m.col() >= columnLabels.size()) {
                throw new IndexOutOfBoundsException("mark '" + m.label() + "' at (" + m.row() + ", " + m.col()
                        + ") is outside the " + values.length + " × " + columnLabels.size() + " heatmap");
            }
        }
        this.marks = List.copyOf(marks);
        contentChanged();
    }

    /** What an empty heatmap says ("no data" by default). */
    public void setPlaceholder(String text) {
        this.placeholder = text;
        redraw();
    }

    /** Outlines one cell. */
    public void select(int row, int col) {
        if (row < 0 || row >= values.length || col < 0 || col >= columnLabels.size()) {
            throw new IndexOutOfBoundsException("cell (" + row + ", " + col + ") is outside the "
                    + values.length + " × " + columnLabels.size() + " heatmap");
        }
        selectedRow = row;
        selectedCol = col;
        redraw();
    }

    public void clearSelection() {
        selectedRow = -1;
        selectedCol = -1;
        rangeFrom = -1;
        rangeTo = -1;
        redraw();
    }

    /**
     * Lets a drag pick a range of indices, for a square matrix whose rows and columns are the same
     * things (layers): from the cell pressed to the cell under the mouse, the range spans every row
     * and column index the two cells touch, drawn as the square block it covers; {@code listener}
     * hears of it when the button comes up (a range of at least two). Null turns it off.
     */
    public void setOnRangeSelected(RangeListener listener) {
        this.onRangeSelected = listener;
    }

    /** Outlines the square block of indices {@code from..to} (as a drag does), or none for a negative {@code from}. */
    public void selectRange(int from, int to) {
        rangeFrom = from < 0 ? -1 : Math.min(from, to);
        rangeTo = from < 0 ? -1 : Math.max(from, to);
        redraw();
    }

    /** {@code {from, to}} of the outlined range, or null. */
    public int[] selectedRange() {
        return rangeFrom < 0 ? null : new int[] {rangeFrom, rangeTo};
    }

    @Override
    protected void pressed(double x, double y) {
        dragStart = onRangeSelected == null ? null : geometry().cellAt(x, y);
    }

    @Override
    protected void dragged(double x, double y) {
        if (dragStart == null) {
            return;
        }
        int[] cell = geometry().cellAt(x, y);
        if (cell != null) {
            int from = Math.min(Math.min(dragStart[0], dragStart[1]), Math.min(cell[0], cell[1]));
            int to = Math.max(Math.max(dragStart[0], dragStart[1]), Math.max(cell[0], cell[1]));
            if (from != to) {
                selectRange(from, to);
            }
        }
    }

    @Override
    protected void released(double x, double y) {
        if (dragStart != null && rangeFrom >= 0 && rangeTo > rangeFrom) {
            int[] end = geometry().cellAt(x, y);
            if (end != null && !(end[0] == dragStart[0] && end[1] == dragStart[1])) {
                onRangeSelected.rangeSelected(rangeFrom, rangeTo);
            }
        }
        dragStart = null;
    }

    /** {@code {row, col}} of the selected cell, or null. */
    public int[] selection() {
        return selectedRow < 0 ? null : new int[] {selectedRow, selectedCol};
    }

    /** The range the colours span now. */
    public ValueRange range() {
        return colorRange(values);
    }

    @Override
    protected void draw(GraphicsContext g, double w, double h) {
        int rows = values.length;
        int cols = columnLabels.size();
        if (rows == 0 || cols == 0) {
            setGeometry(NO_CELLS);
            drawNote(g, w, h, placeholder);
            return;
        }
        double fh = textHeight();
        ValueRange range = range();
        double left = Math.min(w * 0.35, widest(rowLabels)) + 8;
        double widestColumn = widest(columnLabels);
        double barWidth = colorBarWidth(range, Math.max(40, h - 40));
        double plotW = w - left - barWidth - 20;
        boolean horizontal = widestColumn + 6 <= plotW / cols;
        double bottom = horizontal ? fh + 8 : Math.min(widestColumn, h * 0.3) + 10;
        double top = 6;
        double plotH = h - top - bottom;
        if (plotW < 8 || plotH < 8) {
            setGeometry(NO_CELLS);
            drawNote(g, w, h, "too small");
            return;
        }
        setGeometry(new HeatmapGeometry(left, top, plotW, plotH, rows, cols));
        g.setFill(NO_VALUE);
        g.fillRect(left, top, plotW, plotH);
        g.setImageSmoothing(false);
        g.drawImage(cellImage(range), left, top, plotW, plotH);
        drawGridLines(g);
        drawMarks(g);
        outline(g, hoveredItem(), Color.gray(1, 0.9), 1.5);
        outline(g, selection(), INK, 2.5);
        drawRange(g);
        drawRowLabels(g, fh, left);
        drawColumnLabels(g, fh, horizontal, bottom - 10);
        drawColorBar(g, range, left + plotW + 14, top, plotH);
    }

    @Override
    protected String describe(int[] cell) {
        StringBuilder text = new StringBuilder(rowLabels.get(cell[0]) + " · " + columnLabels.get(cell[1]) + ": "
                + valueText(values[cell[0]][cell[1]]));
        for (Mark m : marks) {
            if (m.row() == cell[0] && m.col() == cell[1]) {
                text.append(" · ").append(m.label());
            }
        }
        return text.toString();
    }

    /** A click selects the cell before the listener hears of it. */
    @Override
    protected void cellClicked(int row, int col) {
        select(row, col);
    }

    /** The coloured cell image is cached, so a new map or range must drop it. */
    @Override
    protected void colorsChanged() {
        contentChanged();
    }

    private void contentChanged() {
        cells = null;
        redraw();
    }

    /** One pixel per cell, drawn scaled without smoothing: fast for large matrices, crisp for small ones. */
    private WritableImage cellImage(ValueRange range) {
        if (cells == null) {
            int rows = values.length;
            int cols = columnLabels.size();
            cells = new WritableImage(cols, rows);
            PixelWriter px = cells.getPixelWriter();
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    px.setArgb(c, r, colorMap().argb(range.fraction(values[r][c])));
                }
            }
        }
        return cells;
    }

    private void drawGridLines(GraphicsContext g) {
        HeatmapGeometry geometry = geometry();
        if (geometry.cellWidth() < 10 || geometry.cellHeight() < 10) {
            return;
        }
        g.setStroke(Color.WHITE);
        g.setLineWidth(1);
        for (int c = 1; c < geometry.cols(); c++) {
            double x = Math.round(geometry.cellX(c)) + 0.5;
            g.strokeLine(x, geometry.y(), x, geometry.y() + geometry.height());
        }
        for (int r = 1; r < geometry.rows(); r++) {
            double y = Math.round(geometry.cellY(r)) + 0.5;
            g.strokeLine(geometry.x(), y, geometry.x() + geometry.width(), y);
        }
    }

    /** Each mark as a bar along its cell's left edge, with a dark rim so a white bar shows on light cells too. */
    private void drawMarks(GraphicsContext g) {
        HeatmapGeometry geometry = geometry();
        double bar = Math.max(2, Math.min(5, geometry.cellWidth() * 0.12));
        for (Mark m : marks) {
            double x = geometry.cellX(m.col());
            double top = geometry.cellY(m.row()) + 1;
            double height = Math.max(1, geometry.cellHeight() - 2);
            g.setFill(INK);
            g.fillRect(x - 1, top, bar + 2, height);
            g.setFill(m.alert() ? ALERT : Color.WHITE);
            g.fillRect(x, top + 1, bar, Math.max(1, height - 2));
        }
    }

    /** The picked range as the square block it covers, with a dark rim and a light line inside. */
    private void drawRange(GraphicsContext g) {
        if (rangeFrom < 0 || rangeTo >= values.length || rangeTo >= columnLabels.size()) {
            return;
        }
        HeatmapGeometry geometry = geometry();
        double x = geometry.cellX(rangeFrom);
        double y = geometry.cellY(rangeFrom);
        double w = geometry.cellX(rangeTo) + geometry.cellWidth() - x;
        double h = geometry.cellY(rangeTo) + geometry.cellHeight() - y;
        g.setStroke(INK);
        g.setLineWidth(4);
        g.strokeRect(x + 2, y + 2, w - 4, h - 4);
        g.setStroke(ALERT);
        g.setLineWidth(2);
        g.strokeRect(x + 2, y + 2, w - 4, h - 4);
    }

    private void outline(GraphicsContext g, int[] cell, Color color, double width) {
        if (cell == null) {
            return;
        }
        HeatmapGeometry geometry = geometry();
        g.setStroke(color);
        g.setLineWidth(width);
        g.strokeRect(geometry.cellX(cell[1]) + width / 2, geometry.cellY(cell[0]) + width / 2,
                Math.max(1, geometry.cellWidth() - width), Math.max(1, geometry.cellHeight() - width));
    }

    private void drawRowLabels(GraphicsContext g, double fh, double left) {
        HeatmapGeometry geometry = geometry();
        g.setFill(INK);
        g.setTextAlign(TextAlignment.RIGHT);
        g.setTextBaseline(VPos.CENTER);
        int step = (int) Math.max(1, Math.ceil(fh / geometry.cellHeight()));
        for (int r = 0; r < geometry.rows(); r += step) {
            g.fillText(rowLabels.get(r), left - 6, geometry.centerY(r), left - 8);
        }
    }

    private void drawColumnLabels(GraphicsContext g, double fh, boolean horizontal, double room) {
        HeatmapGeometry geometry = geometry();
        g.setFill(INK);
        double below = geometry.y() + geometry.height() + 4;
        if (horizontal) {
            g.setTextAlign(TextAlignment.CENTER);
            g.setTextBaseline(VPos.TOP);
            for (int c = 0; c < geometry.cols(); c++) {
                g.fillText(columnLabels.get(c), geometry.centerX(c), below);
            }
            return;
        }
        int step = (int) Math.max(1, Math.ceil(fh / geometry.cellWidth()));
        g.setTextAlign(TextAlignment.RIGHT);
        g.setTextBaseline(VPos.CENTER);
        for (int c = 0; c < geometry.cols(); c += step) {
            g.save();
            g.translate(geometry.centerX(c), below);
            g.rotate(-90);
            g.fillText(columnLabels.get(c), 0, 0, room);
            g.restore();
        }
    }

    private static double widest(List<String> labels) {
        double max = 0;
        for (String s : labels) {
            max = Math.max(max, textWidth(s));
        }
        return max;
    }

    private static List<String> labels(List<String> given, int count, String what) {
        if (given == null) {
            List<String> numbered = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                numbered.add(Integer.toString(i));
            }
            return numbered;
        }
        if (given.size() != count) {
            throw new IllegalArgumentException("the heatmap has " + count + " " + what + "s but " + given.size() + " "
                    + what + " labels");
        }
        return List.copyOf(given);
    }
}
