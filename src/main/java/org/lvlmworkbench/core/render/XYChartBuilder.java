package org.lvlmworkbench.core.render;

/**
 * The builder of a chart drawn in an {@link XYFrame} (line and scatter charts): the title and both
 * axis titles.
 *
 * @param <B> the concrete builder
 */
abstract class XYChartBuilder<B extends XYChartBuilder<B>> extends ChartBuilder<B> {

    /** The x axis title, with its unit, e.g. "layer". */
    public B xTitle(String xTitle) {
        this.xTitle = xTitle;
        return self();
    }

    /** The y axis title, with its unit, e.g. "JS divergence (bits)". */
    public B yTitle(String yTitle) {
        this.yTitle = yTitle;
        return self();
    }
}
