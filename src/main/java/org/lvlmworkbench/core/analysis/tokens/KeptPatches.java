package org.lvlmworkbench.core.analysis.tokens;

import java.util.Arrays;
import java.util.List;
import org.lvlmworkbench.core.analysis.probe.TokenInfo;
import org.lvlmworkbench.core.analysis.probe.TokenTable;
import org.lvlmworkbench.core.model.PatchGrid;

/**
 * Where a pruned pass's kept image tokens lie on the image: from the positions each pruning stage
 * kept ({@code text.blocks.K.kept_positions}) and the item's token table, a value per patch of the
 * first image's grid, the decoder layer from which the patch is gone (the stage's layer that removed
 * it) or the number of layers when it is kept to the end; and how many image tokens each layer sees.
 * Plain Java, tested without a model.
 *
 * @param cells      {@code [rows][cols]}: removal layer, or {@code layers} for a kept patch; NaN where
 *                   no image token sits (a class token has no cell)
 * @param perLayer   image tokens in the sequence at each decoder layer
 * @param imageTokens image tokens of the prompt
 * @param kept       image tokens left after the last stage
 */
public record KeptPatches(double[][] cells, int[] perLayer, int imageTokens, int kept) {

    /**
     * @param stageLayers the layer of each stage, in order
     * @param keptPerStage the original positions each stage kept (text and image), ascending
     * @param layers      decoder layers
     */
    public static KeptPatches of(TokenTable table, PatchGrid grid, int[] stageLayers, List<long[]> keptPerStage,
            int layers) {
        if (stageLayers.length != keptPerStage.size()) {
            throw new IllegalArgumentException(stageLayers.length + " stages but " + keptPerStage.size()
                    + " kept-position lists (a stage was not captured)");
        }
        double[][] cells = new double[grid.rows()][grid.cols()];
        for (double[] row : cells) {
            Arrays.fill(row, Double.NaN);
        }
        int[] image = table.imagePositions();
        int[] perLayer = new int[layers];
        Arrays.fill(perLayer, image.length);
        int kept = image.length;
        for (int s = 0; s < stageLayers.length; s++) {
            long[] k = keptPerStage.get(s);
            int count = 0;
            for (int p : image) {
                if (Arrays.binarySearch(k, p) >= 0) {
                    count++;
                }
            }
            for (int l = stageLayers[s]; l < layers; l++) {
                perLayer[l] = count;
            }
            kept = count;
        }
        for (int p : image) {
            TokenInfo t = table.get(p);
            if (t.image() != 0 || t.row() < 0 || t.row() >= grid.rows() || t.col() < 0 || t.col() >= grid.cols()) {
                continue;
            }
            double value = layers;
            for (int s = 0; s < stageLayers.length; s++) {
                if (Arrays.binarySearch(keptPerStage.get(s), p) < 0) {
                    value = stageLayers[s];
                    break;
                }
            }
            cells[t.row()][t.col()] = value;
        }
        return new KeptPatches(cells, perLayer, image.length, kept);
    }
}
