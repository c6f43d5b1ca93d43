package org.lvlmworkbench.app.views.evolution;

import java.util.Locale;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Slider;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import org.lvlmworkbench.app.widgets.ChoiceLabels;
import org.lvlmworkbench.app.widgets.ColorMap;
import org.lvlmworkbench.app.widgets.HeatmapData;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.app.widgets.ItemLists;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.ProbeSetBar;
import org.lvlmworkbench.app.widgets.ScatterView;
import org.lvlmworkbench.core.analysis.evolution.EvolutionResult;
import org.lvlmworkbench.core.analysis.evolution.ItemEvolution;
import org.lvlmworkbench.core.analysis.evolution.LensMode;

/** Binds the Knowledge evolution view's controls to its view-model; holds no state of its own. */
public final class EvolutionController {

    private final EvolutionViewModel vm;

    @FXML private ProbeSetBar probes;
    @FXML private ChoiceBox<LensMode> lensChoice;
    @FXML private CheckBox promptPositionsBox;
    @FXML private ListView<ItemEvolution> itemList;
    @FXML private ChoiceBox<EvolutionViewModel.CellMode> cellModeChoice;
    @FXML private Label itemCaption;
    @FXML private HeatmapView itemMap;
    @FXML private Label cellTitle;
    @FXML private TableView<EvolutionViewModel.TopToken> topTable;
    @FXML private TableColumn<EvolutionViewModel.TopToken, Integer> rankColumn;
    @FXML private TableColumn<EvolutionViewModel.TopToken, String> tokenColumn;
    @FXML private TableColumn<EvolutionViewModel.TopToken, Double> probabilityColumn;
    @FXML private TableColumn<EvolutionViewModel.TopToken, String> roleColumn;
    @FXML private Label cellSummary;
    @FXML private LineChartView curveChart;
    @FXML private Label aggregateLabel;
    @FXML private Label warningLabel;
    @FXML private Label pcaEntryLabel;
    @FXML private Slider pcaSlider;
    @FXML private ScatterView pcaScatter;
    @FXML private Label pcaCaption;

    EvolutionController(EvolutionViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        probes.bind(vm.source, vm.runDisabled, vm::run);
        lensChoice.getItems().setAll(LensMode.values());
        lensChoice.setConverter(ChoiceLabels.of(EvolutionController::lensName));
        lensChoice.valueProperty().bindBidirectional(vm.lens);
        lensChoice.setTooltip(new Tooltip("How a layer's residual stream is read as a next-token distribution.\n"
                + "normed: " + LensMode.NORMED.description() + "\nraw: " + LensMode.RAW.description()
                + ", as the code of arXiv 2504.02862 computes it"));
        lensChoice.disableProperty().bind(vm.runDisabled);
        promptPositionsBox.selectedProperty().bindBidirectional(vm.promptPositions);
        promptPositionsBox.setTooltip(new Tooltip("Also follow every text position of the prompt (re-runs)"));
        promptPositionsBox.disableProperty().bind(vm.runDisabled);

        ItemLists.bind(itemList, vm.items, EvolutionViewModel::itemText, vm.selected);

        cellModeChoice.getItems().setAll(EvolutionViewModel.CellMode.values());
        cellModeChoice.setConverter(ChoiceLabels.of(EvolutionViewModel.CellMode::label));
        cellModeChoice.valueProperty().bindBidirectional(vm.cellMode);
        itemCaption.textProperty().bind(vm.itemCaption);
        itemMap.setColorMap(ColorMap.VIRIDIS);
        itemMap.setPlaceholder("Run, then pick an item: its answer tokens through the layers.");
        itemMap.setOnCellClicked(vm::selectCell);
        vm.itemMap.addListener((obs, old, data) -> showItemMap(data));
        showItemMap(vm.itemMap.get());

        cellTitle.textProperty().bind(vm.cellTitle);
        cellSummary.textProperty().bind(vm.cellSummary);
        topTable.setItems(vm.topTokens);
        rankColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().rank()));
        tokenColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>("‘" + c.getValue().text() + "’"));
        probabilityColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().probability()));
        probabilityColumn.setCellFactory(col -> new TableCell<>() {
            @Override
            protected void updateItem(Double p, boolean empty) {
                super.updateItem(p, empty);
                setText(empty || p == null ? null : String.format(Locale.ROOT, "%.3f", p));
            }
        });
        roleColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().role()));

        curveChart.setAxisLabels("layer transition (0 = embeddings → block 0)", "bits / probability");
        curveChart.setPlaceholder(EvolutionViewModel.NO_RESULT);
        vm.curves.addListener((obs, old, series) -> curveChart.setSeries(series));
        vm.curveMarkers.addListener((obs, old, markers) -> curveChart.setMarkers(markers));
        aggregateLabel.textProperty().bind(vm.aggregateText);
        vm.warnings.addListener((ListChangeListener<String>) change -> showWarnings());
        showWarnings();

        pcaSlider.disableProperty().bind(vm.entries.lessThan(2));
        vm.entries.addListener((obs, old, n) -> pcaSlider.setMax(Math.max(1, n.intValue() - 1)));
        pcaSlider.valueProperty().addListener((obs, old, v) -> vm.pcaEntry.set((int) Math.round(v.doubleValue())));
        vm.pcaEntry.addListener((obs, old, e) -> {
            pcaSlider.setValue(e.intValue());
            showPcaEntry();
        });
        vm.entries.addListener((obs, old, n) -> showPcaEntry());
        showPcaEntry();
        pcaScatter.setPlaceholder("The PCA appears when a run ends.");
        vm.pca.addListener((obs, old, plot) -> showPca(plot));
    }

    /** The lens as the selector names it: the raw lens is only there to reproduce the paper. */
    static String lensName(LensMode mode) {
        return switch (mode) {
            case NORMED -> "normed (final norm, then lm_head)";
            case RAW -> "raw (paper reproduction)";
        };
    }

    private void showItemMap(HeatmapData data) {
        itemMap.show(data);
        itemMap.clearSelection();
    }

    private void showWarnings() {
        warningLabel.setText(vm.warnings.isEmpty() ? "" : "⚠ " + String.join("\n⚠ ", vm.warnings));
        warningLabel.setVisible(!vm.warnings.isEmpty());
        warningLabel.setManaged(!vm.warnings.isEmpty());
    }

    private void showPcaEntry() {
        pcaEntryLabel.setText(vm.entries.get() == 0 ? "" : EvolutionResult.entryLabel(vm.pcaEntry.get()));
    }

    private void showPca(EvolutionViewModel.PcaPlot plot) {
        pcaScatter.setAxisLabels(plot.xLabel(), plot.yLabel());
        pcaScatter.setPoints(plot.points());
        pcaCaption.setText(plot.caption());
    }
}
