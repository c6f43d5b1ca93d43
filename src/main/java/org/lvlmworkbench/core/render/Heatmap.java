package org.lvlmworkbench.core.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.RenderingHints;
import java.awt.geom.Line2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A matrix of values as coloured cells (e.g. layer × layer CKA, or a divergence per layer and
 * token), with row and column labels (every k-th one, k = 1, 2, 5, 10, …, where they would not
 * fit), a colour bar naming the quantity, and optionally each cell's value printed in it where
 * cells are large enough. NaN cells are light grey ({@link ColorMap#NAN_RGB}) and the colour bar
 * then shows a "NaN" swatch. Without a fixed range the colours span the data; for a diverging map
 * that span is centred on zero. Build with {@link #builder(double[][])}.
 */
public final class Heatmap implements Chart {

    private static final int MIN_WIDTH = 200;
    private static final int MIN_HEIGHT = 140;
    /** Column labels wider than this are set reading upwards unless every one fits across. */
    private static final int MAX_ACROSS_LABEL = 60;
    /** Cells are only annotated up to this many, so a printed value stays an aid rather than noise. */
    private static final int MAX_ANNOTATED_CELLS = 1600;

    /** Where the parts of a {@code width} × {@code height} rendering go. */
    record Layout(Rectangle cells, Rectangle colorBar, int rowStride, int columnStride, boolean columnsUpright,
            int rowLabelWidth, int columnLabelDepth, ValueRange range, boolean nan) {

        /** Left edge of column {@code c} (and right edge of column c − 1). */
        int columnEdge(int c, int columns) {
            return cells.x + (int) Math.round((double) c * cells.width / columns);
        }

        int rowEdge(int r, int rows) {
            return cells.y + (int) Math.round((double) r * cells.height / rows);
        }
    }

    private final double[][] values;
    private final int rows;
    private final int columns;
    private final List<String> rowLabels;
    private final List<String> columnLabels;
    private final ChartTitles titles;
    private final ColorScale colorScale;
    private final boolean annotate;
    private final List<Box> boxes;

    /**
     * A block of cells outlined on top of the colours (rows and columns inclusive), e.g. a run of
     * merged layers on a layer-similarity map; {@code label} is written beside its top-left corner.
     */
    public record Box(int firstRow, int lastRow, int firstColumn, int lastColumn, String label) {
    }

    private Heatmap(Builder b) {
        this.values = b.values;
        this.rows = b.values.length;
        this.columns = b.values[0].length;
        this.rowLabels = b.rowLabels != null ? b.rowLabels : indices(rows);
        this.columnLabels = b.columnLabels != null ? b.columnLabels : indices(columns);
        this.titles = b.titles();
        this.colorScale = b.colorScale();
        this.annotate = b.annotate;
        this.boxes = List.copyOf(b.boxes);
    }

    /** A heatmap of {@code values[row][column]}; every row must have the same, non-zero length. */
    public static Builder builder(double[][] values) {
        return new Builder(values);
    }

    /** The colour range the cells use: the fixed one, else the data's. */
    public ValueRange range() {
        return colorScale.range(values);
    }

    /** The heatmap as a {@code width} × {@code height} RGB image (at least 200 × 140). */
    public BufferedImage render(int width, int height) {
        return Theme.png("Heatmap", width, height, MIN_WIDTH, MIN_HEIGHT, g -> draw(g, width, height));
    }

    /** The same chart as an SVG document of {@code width} × {@code height} user units. */
    public String svg(int width, int height) {
        return Theme.svg("Heatmap", width, height, MIN_WIDTH, MIN_HEIGHT, g -> draw(g, width, height));
    }

    private void draw(Graphics2D g, int width, int height) {
        Layout l = layout(g, width, height);
        drawCells(g, l);
        drawLabels(g, l);
        colorScale.drawBar(g, l.colorBar(), l.range(), l.nan());
        XYFrame.drawTitle(g, titles.title(), l.cells().getCenterX(), width);
    }

    /** The layout of a rendering at this size (what {@link #render} draws into). */
    Layout layout(int width, int height) {
        Theme.Canvas canvas = Theme.canvas("Heatmap", width, height, MIN_WIDTH, MIN_HEIGHT);
        try {
            return layout(canvas.g(), width, height);
        } finally {
            canvas.finish();
        }
    }

    private Layout layout(Graphics2D g, int width, int height) {
        ValueRange range = range();
        boolean nan = ValueRange.anyNaN(values);
        int tickH = Text.lineHeight(g, Theme.TICK);
        int labelH = Text.lineHeight(g, Theme.LABEL);
        int top = XYFrame.titleBand(g, titles.title());
        int rowLabelWidth = (int) Math.ceil(Math.min(Text.maxWidth(g, Theme.TICK, rowLabels), width * 0.22));
        int left = Theme.PAD + (titles.yTitle() != null ? labelH + Theme.GAP : 0) + rowLabelWidth + Theme.GAP
                + Theme.TICK_LENGTH;
        int colorBarWidth = colorScale.barWidth(g, range, Math.max(40, height - top - 3 * tickH), nan);
        int right = 2 * Theme.PAD + colorBarWidth + Theme.PAD;
        double cellsWidth = width - left - right;
        double cellW = cellsWidth / columns;

        double columnMax = Text.maxWidth(g, Theme.TICK, columnLabels);
        int acrossStride = Ticks.niceStride((columnMax + 8) / cellW);
        int uprightStride = Ticks.niceStride((tickH + 2) / cellW);
        // Across reads best; upright only where across would drop many more labels, or long ones.
        boolean upright = acrossStride > uprightStride
                && (columnMax > MAX_ACROSS_LABEL || acrossStride > 2 * uprightStride);
        int columnStride = upright ? uprightStride : acrossStride;
        int columnDepth = upright ? (int) Math.ceil(Math.min(columnMax, height * 0.22)) : tickH;
        int bottom = Theme.TICK_LENGTH + Theme.GAP + columnDepth + (titles.xTitle() != null ? Theme.GAP + labelH : 0)
                + Theme.PAD;
        double cellsHeight = height - top - bottom;
        if (cellsWidth < columns * 0.25 || cellsHeight < 20) {
            throw new IllegalArgumentException("Heatmap: " + width + "x" + height + " leaves "
                    + (int) cellsWidth + "x" + (int) cellsHeight + " pixels for " + rows + "x" + columns
                    + " cells; render it larger");
        }
        // Whole-pixel cells where they are a few pixels or more, so every cell has the same size;
        // the slack is shared out to both sides to keep the picture centred.
        int w = cellsWidth / columns >= 3 ? (int) (cellsWidth / columns) * columns : (int) cellsWidth;
        int h = cellsHeight / rows >= 3 ? (int) (cellsHeight / rows) * rows : (int) cellsHeight;
        int dx = (int) (cellsWidth - w) / 2;
        int dy = (int) (cellsHeight - h) / 2;
        Rectangle cells = new Rectangle(left + dx, top + dy, w, h);
        int rowStride = Ticks.niceStride((tickH + 1) / ((double) h / rows));
        Rectangle bar = new Rectangle(cells.x + w + 2 * Theme.PAD, cells.y, colorBarWidth, h);
        return new Layout(cells, bar, rowStride, columnStride, upright, rowLabelWidth, columnDepth, range, nan);
    }

    private void drawCells(Graphics2D g, Layout l) {
        ValueRange range = l.range();
        BufferedImage pixels = new BufferedImage(columns, rows, BufferedImage.TYPE_INT_RGB);
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                pixels.setRGB(c, r, colorScale.map().rgb(values[r][c], range.min(), range.max()));
            }
        }
        Rectangle cells = l.cells();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR);
        g.drawImage(pixels, cells.x, cells.y, cells.width, cells.height, null);
        g.setColor(Theme.FRAME);
        Theme.outline(g, cells);
        if (annotate) {
            drawAnnotations(g, l);
        }
        drawBoxes(g, l);
    }

    /** Each box as a dark outline with a white halo, so it reads on light and dark cells alike. */
    private void drawBoxes(Graphics2D g, Layout l) {
        for (Box b : boxes) {
            int x0 = l.columnEdge(b.firstColumn(), columns);
            int x1 = l.columnEdge(b.lastColumn() + 1, columns);
            int y0 = l.rowEdge(b.firstRow(), rows);
            int y1 = l.rowEdge(b.lastRow() + 1, rows);
            Rectangle2D r = new Rectangle2D.Double(x0, y0, x1 - x0, y1 - y0);
            g.setColor(Color.WHITE);
            g.setStroke(new BasicStroke(4.5f));
            g.draw(r);
            g.setColor(Theme.TEXT);
            g.setStroke(new BasicStroke(2f));
            g.draw(r);
            if (b.label() != null && !b.label().isEmpty()) {
                g.setFont(Theme.TICK);
                FontMetrics fm = g.getFontMetrics();
                int tx = x1 + 4;
                int ty = y0 + fm.getAscent();
                g.setColor(new Color(255, 255, 255, 210));
                g.fillRect(tx - 2, y0, fm.stringWidth(b.label()) + 4, fm.getHeight());
                g.setColor(Theme.TEXT);
                g.drawString(b.label(), tx, ty);
            }
        }
    }

    /** Each cell's value in it, dark on light cells and white on dark ones, when every value fits. */
    private void drawAnnotations(Graphics2D g, Layout l) {
        if ((long) rows * columns > MAX_ANNOTATED_CELLS) {
            return;
        }
        String[][] text = annotationText();
        double widest = 0;
        for (String[] row : text) {
            for (String s : row) {
                widest = Math.max(widest, Text.width(g, Theme.TICK, s));
            }
        }
        double cellW = (double) l.cells().width / columns;
        double cellH = (double) l.cells().height / rows;
        if (cellW < widest + 6 || cellH < Text.lineHeight(g, Theme.TICK) + 2) {
            return;
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                if (text[r][c].isEmpty()) {
                    continue;
                }
                Color cell = new Color(colorScale.map().rgb(values[r][c], l.range().min(), l.range().max()));
                double luma = 0.299 * cell.getRed() + 0.587 * cell.getGreen() + 0.114 * cell.getBlue();
                g.setColor(luma > 140 ? Theme.TEXT : Color.WHITE);
                double cx = (l.columnEdge(c, columns) + l.columnEdge(c + 1, columns)) / 2.0;
                double cy = (l.rowEdge(r, rows) + l.rowEdge(r + 1, rows)) / 2.0;
                Text.draw(g, Theme.TICK, text[r][c], cx, cy, 0.5, 0.5);
            }
        }
    }

    /** Values with one shared number of decimals (two significant digits for the largest); NaN cells stay blank. */
    private String[][] annotationText() {
        double largest = 0;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    largest = Math.max(largest, Math.abs(v));
                }
            }
        }
        boolean plain = largest == 0 || (largest >= 1e-3 && largest < 1e5);
        int decimals = largest == 0 ? 0 : Math.max(0, Math.min(4, 1 - (int) Math.floor(Math.log10(largest))));
        String[][] out = new String[rows][columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                double v = values[r][c];
                out[r][c] = Double.isNaN(v) ? "" : !Double.isFinite(v) || !plain ? Ticks.value(v)
                        : String.format(Locale.ROOT, "%." + decimals + "f", v).replace('-', '\u2212');
            }
        }
        return out;
    }

    private void drawLabels(Graphics2D g, Layout l) {
        Rectangle cells = l.cells();
        g.setStroke(Theme.HAIRLINE);
        double rowText = cells.x - Theme.TICK_LENGTH - Theme.GAP;
        for (int r = 0; r < rows; r += l.rowStride()) {
            double cy = (l.rowEdge(r, rows) + l.rowEdge(r + 1, rows)) / 2.0;
            g.setColor(Theme.AXIS);
            g.draw(new Line2D.Double(cells.x - 1 - Theme.TICK_LENGTH, XYFrame.snap(cy), cells.x - 1, XYFrame.snap(cy)));
            g.setColor(Theme.TEXT);
            Text.draw(g, Theme.TICK, Text.fit(g, Theme.TICK, rowLabels.get(r), l.rowLabelWidth()), rowText, cy, 1, 0.5);
        }
        double below = cells.getMaxY() + Theme.TICK_LENGTH + Theme.GAP;
        for (int c = 0; c < columns; c += l.columnStride()) {
            double cx = (l.columnEdge(c, columns) + l.columnEdge(c + 1, columns)) / 2.0;
            g.setColor(Theme.AXIS);
            g.draw(new Line2D.Double(XYFrame.snap(cx), cells.getMaxY() + 1, XYFrame.snap(cx),
                    cells.getMaxY() + 1 + Theme.TICK_LENGTH));
            g.setColor(Theme.TEXT);
            if (l.columnsUpright()) {
                Text.drawUp(g, Theme.TICK, Text.fit(g, Theme.TICK, columnLabels.get(c), l.columnLabelDepth()), cx, below,
                        1, 0.5);
            } else {
                double room = l.columnStride() * (double) cells.width / columns - 4;
                Text.draw(g, Theme.TICK, Text.fit(g, Theme.TICK, columnLabels.get(c), room), cx, below, 0.5, 0);
            }
        }
        g.setColor(Theme.TEXT);
        if (titles.xTitle() != null) {
            double y = below + l.columnLabelDepth() + Theme.GAP;
            Text.draw(g, Theme.LABEL, Text.fit(g, Theme.LABEL, titles.xTitle(), cells.width + 2.0 * Theme.PAD),
                    cells.getCenterX(), y, 0.5, 0);
        }
        if (titles.yTitle() != null) {
            double x = cells.x - Theme.TICK_LENGTH - Theme.GAP - l.rowLabelWidth() - Theme.GAP - Text.lineHeight(g, Theme.LABEL);
            Text.drawUp(g, Theme.LABEL, Text.fit(g, Theme.LABEL, titles.yTitle(), cells.height), x, cells.getCenterY(),
                    0.5, 0);
        }
    }

    private static List<String> indices(int n) {
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Integer.toString(i));
        }
        return out;
    }

    /** Collects the options; only the values are required. */
    public static final class Builder extends ColorScaleBuilder<Builder> {

        private final double[][] values;
        private List<String> rowLabels;
        private List<String> columnLabels;
        private boolean annotate;
        private final List<Box> boxes = new ArrayList<>();

        private Builder(double[][] values) {
            super("Heatmap");
            this.values = checkedCopy(values, "");
        }

        /** One label per row, top to bottom; without them rows are numbered from 0. */
        public Builder rowLabels(List<String> labels) {
            this.rowLabels = checkedLabels("rowLabels", labels, values.length, "rows");
            return this;
        }

        /** One label per column, left to right; without them columns are numbered from 0. */
        public Builder columnLabels(List<String> labels) {
            this.columnLabels = checkedLabels("columnLabels", labels, values[0].length, "columns");
            return this;
        }

        /** Title under the columns, e.g. "layer". */
        public Builder xTitle(String xTitle) {
            this.xTitle = xTitle;
            return this;
        }

        /** Title beside the rows, e.g. "token". */
        public Builder yTitle(String yTitle) {
            this.yTitle = yTitle;
            return this;
        }

        /** Print each value in its cell where every value fits (off by default). */
        public Builder annotate(boolean annotate) {
            this.annotate = annotate;
            return this;
        }

        /** Outlines a block of cells (see {@link Box}); indices must lie inside the map. */
        public Builder box(Box box) {
            if (box.firstRow() < 0 || box.lastRow() >= values.length || box.firstRow() > box.lastRow()
                    || box.firstColumn() < 0 || box.lastColumn() >= values[0].length
                    || box.firstColumn() > box.lastColumn()) {
                throw new IllegalArgumentException("Heatmap box " + box + " outside the " + values.length + "x"
                        + values[0].length + " cells");
            }
            boxes.add(box);
            return this;
        }

        public Heatmap build() {
            return new Heatmap(this);
        }

        private static List<String> checkedLabels(String field, List<String> labels, int expected, String what) {
            if (labels == null) {
                return null;
            }
            if (labels.size() != expected) {
                throw new IllegalArgumentException("Heatmap " + field + ": " + labels.size() + " labels for " + expected
                        + " " + what);
            }
            List<String> out = new ArrayList<>(labels.size());
            for (String s : labels) {
                out.add(s == null ? "" : s);
            }
            return List.copyOf(out);
        }
    }
}
