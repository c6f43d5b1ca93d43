package org.lvlmworkbench.app.views.similarity;

import java.util.Locale;
import javafx.fxml.FXML;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import org.lvlmworkbench.app.widgets.ChoiceLabels;
import org.lvlmworkbench.app.widgets.ColorMap;
import org.lvlmworkbench.app.widgets.HeatmapData;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.ProbeSetBar;
import org.lvlmworkbench.core.analysis.similarity.CkaKernel;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;

/** Binds the Layer similarity view's controls to its view-model; holds no state of its own. */
public final class SimilarityController {

    private final SimilarityViewModel vm;

    @FXML private ProbeSetBar probes;
    @FXML private ChoiceBox<String> towerChoice;
    @FXML private ChoiceBox<TokenSelection> tokensChoice;
    @FXML private ChoiceBox<CkaKernel> kernelChoice;
    @FXML private Label matrixCaption;
    @FXML private HeatmapView ckaMap;
    @FXML private Label cellDetail;
    @FXML private LineChartView influenceChart;
    @FXML private Label influenceCaption;

    SimilarityController(SimilarityViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        probes.bind(vm.source, vm.runDisabled, vm::run);
        towerChoice.setItems(vm.towers);
        towerChoice.setConverter(ChoiceLabels.of(t -> t + " tower"));
        towerChoice.valueProperty().bindBidirectional(vm.tower);
        tokensChoice.getItems().setAll(TokenSelection.values());
        tokensChoice.setConverter(ChoiceLabels.of(TokenSelection::label));
        tokensChoice.valueProperty().bindBidirectional(vm.tokens);
        tokensChoice.disableProperty().bind(vm.selectionFixed);
        kernelChoice.getItems().setAll(CkaKernel.values());
        kernelChoice.setConverter(ChoiceLabels.of(k -> k.name().toLowerCase(Locale.ROOT)));
        kernelChoice.valueProperty().bindBidirectional(vm.kernel);

        matrixCaption.textProperty().bind(vm.matrixCaption);
        ckaMap.setColorMap(ColorMap.VIRIDIS);
        ckaMap.setPlaceholder("Run to see how alike every pair of layers is (CKA).");
        ckaMap.setOnCellClicked(vm::selectCell);
        vm.matrix.addListener((obs, old, data) -> showMatrix(data));
        showMatrix(vm.matrix.get());
        cellDetail.textProperty().bind(vm.cellDetail);

        influenceChart.setAxisLabels("decoder block", "Block Influence");
        influenceChart.setPlaceholder("Run to see each decoder block's influence.");
        vm.influence.addListener((obs, old, series) -> influenceChart.setSeries(series));
        influenceCaption.textProperty().bind(vm.influenceCaption);
    }

    private void showMatrix(HeatmapData data) {
        ckaMap.show(data);
        ckaMap.clearSelection();
    }
}
