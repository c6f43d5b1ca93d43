package org.lvlmworkbench.core.render;

/**
 * The words around a chart: its title above, the x axis title below, the y axis title at the left;
 * each may be null for none. Which of them a chart takes is up to its builder.
 */
record ChartTitles(String title, String xTitle, String yTitle) {
}
