package org.lvlmworkbench.core.render;

/**
 * What every chart's builder shares: the title and, for the builders that offer them, the axis
 * titles. Setters return the concrete builder ({@code B}) so that calls chain across the shared and
 * the chart's own options.
 *
 * @param <B> the concrete builder
 */
abstract class ChartBuilder<B extends ChartBuilder<B>> {

    /** Set only through the setters of the builders that draw them ({@link XYChartBuilder}, the heatmap's). */
    String xTitle;
    String yTitle;
    private String title;

    public B title(String title) {
        this.title = title;
        return self();
    }

    /** The titles as they are now, for the chart to keep. */
    ChartTitles titles() {
        return new ChartTitles(title, xTitle, yTitle);
    }

    /** This builder as its own type; safe because every subclass names itself as {@code B}. */
    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }
}
