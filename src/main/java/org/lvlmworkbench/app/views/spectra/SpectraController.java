package org.lvlmworkbench.app.views.spectra;

import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import org.lvlmworkbench.app.widgets.ColorMap;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.app.widgets.ItemLists;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.ProbeSetBar;

/** Binds the Spectra view's controls to its view-model; holds no state of its own. */
public final class SpectraController {

    private final SpectraViewModel vm;

    @FXML private ProbeSetBar probes;
    @FXML private CheckBox whitenedBox;
    @FXML private Label summaryLabel;
    @FXML private TableView<SpectraViewModel.Row> weightTable;
    @FXML private TableColumn<SpectraViewModel.Row, String> blockColumn;
    @FXML private TableColumn<SpectraViewModel.Row, String> roleColumn;
    @FXML private TableColumn<SpectraViewModel.Row, String> shapeColumn;
    @FXML private TableColumn<SpectraViewModel.Row, Double> effectiveColumn;
    @FXML private TableColumn<SpectraViewModel.Row, Double> stableColumn;
    @FXML private TableColumn<SpectraViewModel.Row, Long> breakEvenColumn;
    @FXML private TableColumn<SpectraViewModel.Row, Integer> energyColumn;
    @FXML private Label detailLabel;
    @FXML private LineChartView spectrumChart;
    @FXML private HeatmapView rankMap;
    @FXML private LineChartView energyChart;

    SpectraController(SpectraViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        probes.bind(vm.source, vm.runDisabled, vm::run);
        whitenedBox.selectedProperty().bindBidirectional(vm.whitened);
        summaryLabel.textProperty().bind(vm.summary);

        weightTable.setItems(vm.rows);
        blockColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().block()));
        roleColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().spectrum().role()));
        shapeColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().shape()));
        effectiveColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().effectiveRank()));
        effectiveColumn.setCellFactory(col -> formatted(v -> String.format(Locale.ROOT, "%.1f", v)));
        stableColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().stableRank()));
        stableColumn.setCellFactory(col -> formatted(v -> String.format(Locale.ROOT, "%.2f", v)));
        breakEvenColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().breakEvenRank()));
        energyColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().rankForEnergy()));
        ItemLists.keepSelectionInStep(weightTable.getSelectionModel(), vm.selected, weightTable::scrollTo);

        detailLabel.textProperty().bind(vm.detail);
        spectrumChart.setLogY(true);
        spectrumChart.setAxisLabels("index", "singular value");
        spectrumChart.setPlaceholder("Pick a weight.");
        vm.spectrum.addListener((obs, old, series) -> spectrumChart.setSeries(series));
        energyChart.setAxisLabels("rank k", "fraction");
        energyChart.setPlaceholder("Pick a weight.");
        vm.energy.addListener((obs, old, series) -> energyChart.setSeries(series));
        vm.energyMarkers.addListener((obs, old, markers) -> energyChart.setMarkers(markers));

        rankMap.setColorMap(ColorMap.VIRIDIS);
        rankMap.setPlaceholder("Run to map the effective rank of every block's weights.");
        rankMap.setOnCellClicked(vm::selectCell);
        vm.rankMap.addListener((obs, old, data) -> rankMap.show(data));
    }

    private static <T> TableCell<SpectraViewModel.Row, T> formatted(Function<T, String> format) {
        return new TableCell<>() {
            @Override
            protected void updateItem(T value, boolean empty) {
                super.updateItem(value, empty);
                setText(empty || value == null ? null : format.apply(value));
            }
        };
    }
}
