package org.lvlmworkbench.app.widgets;

import javafx.scene.canvas.GraphicsContext;
import org.lvlmworkbench.core.render.ValueRange;

/**
 * What the heatmap and the patch overlay share: a value per cell of a grid, coloured through a
 * {@link ColorMap} over a fixed range or the data's own, a colour bar captioned with what the values
 * are, the cells as the items under the mouse ({@code {row, col}}, for the subclass to outline) and a
 * listener told of clicked cells.
 */
public abstract class CellGridWidget extends CanvasWidget {

    /** Where the cells are before the first drawing, or when there are none to draw. */
    protected static final HeatmapGeometry NO_CELLS = new HeatmapGeometry(0, 0, 0, 0, 0, 0);

    private ColorMap colorMap = ColorMap.VIRIDIS;
    private ValueRange fixedRange;
    private String valueLabel = "";
    private String unit = "";
    private CellListener onCellClicked;
    private HeatmapGeometry geometry = NO_CELLS;

    CellGridWidget(String styleClass, String fileName) {
        super(styleClass, fileName);
    }

    public void setColorMap(ColorMap map) {
        this.colorMap = map;
        colorsChanged();
    }

    /** Colours span {@code [min, max]} whatever the data. */
    public void setRange(double min, double max) {
        this.fixedRange = new ValueRange(min, max);
        colorsChanged();
    }

    /** Colours span the data's range (symmetric around zero for the diverging map); the default. */
    public void setAutoRange() {
        this.fixedRange = null;
        colorsChanged();
    }

    /** What the values are and their unit, for the colour bar caption and the read-out ("attention", "%"). */
    public void setValueLabel(String label, String unit) {
        this.valueLabel = label == null ? "" : label;
        this.unit = unit == null ? "" : unit;
        redraw();
    }

    public void setOnCellClicked(CellListener listener) {
        this.onCellClicked = listener;
    }

    /** Where the cells were last drawn, in this widget's coordinates. */
    public HeatmapGeometry geometry() {
        return geometry;
    }

    /**
     * The fixed range (or null), the value label and the unit at once, without redrawing: for a
     * subclass that redraws once after changing more.
     */
    protected final void setScale(ValueRange fixedRange, String valueLabel, String unit) {
        this.fixedRange = fixedRange;
        this.valueLabel = valueLabel;
        this.unit = unit;
    }

    /** The colour map or range changed: redraws; a subclass that caches coloured pixels drops them first. */
    protected void colorsChanged() {
        redraw();
    }

    /** A cell was clicked, before the listener hears of it; nothing by default. */
    protected void cellClicked(int row, int col) {
    }

    protected final ColorMap colorMap() {
        return colorMap;
    }

    /** The range the colours of {@code values} span: the fixed one, else the data's. */
    protected final ValueRange colorRange(double[][] values) {
        return fixedRange != null ? fixedRange : ValueRange.ofData(values, colorMap.diverging());
    }

    /** The width {@link #drawColorBar} takes for a bar {@code height} high. */
    protected final double colorBarWidth(ValueRange range, double height) {
        return ColorBar.width(range, height, caption());
    }

    protected final void drawColorBar(GraphicsContext g, ValueRange range, double x, double y, double height) {
        ColorBar.draw(g, colorMap, range, x, y, height, caption());
    }

    /** A value with the unit, as the read-out shows it. */
    protected final String valueText(double value) {
        return Numbers.withUnit(Numbers::compact, value, unit);
    }

    protected final void setGeometry(HeatmapGeometry geometry) {
        this.geometry = geometry;
    }

    /** {@code {row, col}} of the cell at {@code (x, y)}, or null outside the grid. */
    @Override
    protected final int[] itemAt(double x, double y) {
        return geometry.cellAt(x, y);
    }

    @Override
    protected void clicked(double x, double y) {
        int[] cell = geometry.cellAt(x, y);
        if (cell == null) {
            return;
        }
        cellClicked(cell[0], cell[1]);
        if (onCellClicked != null) {
            onCellClicked.cellClicked(cell[0], cell[1]);
        }
    }

    private String caption() {
        return ColorBar.caption(valueLabel, unit);
    }
}
