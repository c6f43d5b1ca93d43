package org.lvlmworkbench.app.views.model;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.lvlmworkbench.core.model.LinearWeight;

/**
 * The model's linear maps as a grid: a row per block in forward order ("vision 0" …, "projector",
 * "text 0" …), a column per role (q, k, v, o, fc1, …), in order of first appearance. A cell holds
 * the map's parameter count, NaN where a block has no map of that role.
 *
 * @param parameters {@code [rows][columns]}
 * @param details    {@code [rows][columns]}: checkpoint key and shape, null where there is no map
 */
public record LinearMapGrid(List<String> rows, List<String> columns, double[][] parameters, String[][] details) {

    public static final LinearMapGrid EMPTY = new LinearMapGrid(List.of(), List.of(), new double[0][0], new String[0][0]);

    public static LinearMapGrid of(List<LinearWeight> linears) {
        Map<String, Integer> rowIndex = new LinkedHashMap<>();
        Map<String, Integer> columnIndex = new LinkedHashMap<>();
        for (LinearWeight w : linears) {
            rowIndex.putIfAbsent(block(w), rowIndex.size());
            columnIndex.putIfAbsent(w.role(), columnIndex.size());
        }
        double[][] parameters = new double[rowIndex.size()][columnIndex.size()];
        String[][] details = new String[rowIndex.size()][columnIndex.size()];
        for (double[] row : parameters) {
            Arrays.fill(row, Double.NaN);
        }
        for (LinearWeight w : linears) {
            int r = rowIndex.get(block(w));
            int c = columnIndex.get(w.role());
            parameters[r][c] = (double) w.rows() * w.cols();
            details[r][c] = String.format(Locale.ROOT, "%s · %,d × %,d (out × in) · %,d parameters", w.name(), w.rows(),
                    w.cols(), w.rows() * w.cols());
        }
        return new LinearMapGrid(new ArrayList<>(rowIndex.keySet()), new ArrayList<>(columnIndex.keySet()), parameters,
                details);
    }

    /** The checkpoint key and shape of the map at {@code (row, col)}, or a sentence saying there is none. */
    public String detail(int row, int col) {
        String d = details[row][col];
        return d != null ? d : rows.get(row) + " has no " + columns.get(col) + " map";
    }

    private static String block(LinearWeight w) {
        return w.layer() < 0 ? w.component() : w.component() + " " + w.layer();
    }
}
