package org.lvlmworkbench.app.widgets;

import java.util.List;
import org.lvlmworkbench.core.render.ValueRange;

/**
 * Everything a {@link HeatmapView} shows, as one value a view-model can hand over (and a test can
 * read) without a UI toolkit.
 *
 * @param values       {@code [rows][cols]}, NaN where there is no value
 * @param rowLabels    one per row
 * @param columnLabels one per column
 * @param valueLabel   what the values are ("CKA", "JS divergence"), for the colour bar and read-out
 * @param unit         their unit ("bits"), or ""
 * @param range        the range the colours span, or null for the data's own
 * @param marks        boundaries drawn on cells
 */
public record HeatmapData(double[][] values, List<String> rowLabels, List<String> columnLabels, String valueLabel,
        String unit, ValueRange range, List<HeatmapView.Mark> marks) {

    /** No matrix: the heatmap shows its placeholder. */
    public static final HeatmapData EMPTY = new HeatmapData(new double[0][0], List.of(), List.of(), "", "", null,
            List.of());

    public HeatmapData {
        rowLabels = List.copyOf(rowLabels);
        columnLabels = List.copyOf(columnLabels);
        marks = List.copyOf(marks);
    }

    public int rows() {
        return values.length;
    }

    public int cols() {
        return columnLabels.size();
    }
}
