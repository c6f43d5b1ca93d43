package org.lvlmworkbench.core.render;

/**
 * The builder of a chart that colours a matrix of values (heatmap, patch overlay): the title, the
 * colour map, a fixed range and the colour bar's label, and the checked copy of the matrix itself.
 *
 * @param <B> the concrete builder
 */
abstract class ColorScaleBuilder<B extends ColorScaleBuilder<B>> extends ChartBuilder<B> {

    /** The chart's name, to begin error messages with. */
    private final String chart;
    private String colorBarLabel;
    private ColorMap colorMap = ColorMap.VIRIDIS;
    private ValueRange range;

    ColorScaleBuilder(String chart) {
        this.chart = chart;
    }

    /** The quantity and its unit, e.g. "JS divergence (bits)", "CKA" or "attention (share of the answer's)". */
    public B colorBarLabel(String label) {
        this.colorBarLabel = label;
        return self();
    }

    public B colorMap(ColorMap map) {
        if (map == null) {
            throw new IllegalArgumentException(chart + " colorMap: null");
        }
        this.colorMap = map;
        return self();
    }

    /** Colours span [min, max] whatever the data; values outside take the end colours. */
    public B range(double min, double max) {
        this.range = new ValueRange(min, max);
        return self();
    }

    /** The colour options as they are now, for the chart to keep. */
    ColorScale colorScale() {
        return new ColorScale(colorMap, range, colorBarLabel);
    }

    /**
     * A copy of {@code values}, refused unless it has at least one row and one column and every row
     * has row 0's length. {@code cells} ends the "need at least one row and one column" message
     * (e.g. " of patches").
     */
    double[][] checkedCopy(double[][] values, String cells) {
        if (values == null || values.length == 0 || values[0] == null || values[0].length == 0) {
            throw new IllegalArgumentException(chart + " values: need at least one row and one column" + cells);
        }
        double[][] copy = new double[values.length][];
        for (int r = 0; r < values.length; r++) {
            if (values[r] == null || values[r].length != values[0].length) {
                throw new IllegalArgumentException(chart + " values: row " + r + " has "
                        + (values[r] == null ? "no array" : values[r].length + " columns") + ", row 0 has "
                        + values[0].length);
            }
            copy[r] = values[r].clone();
        }
        return copy;
    }
}
