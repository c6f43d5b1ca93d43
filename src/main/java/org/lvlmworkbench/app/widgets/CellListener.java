package org.lvlmworkbench.app.widgets;

/** Told the row and column of a clicked cell in a {@link HeatmapView} or {@link PatchOverlayView}. */
@FunctionalInterface
public interface CellListener {
    void cellClicked(int row, int col);
}
