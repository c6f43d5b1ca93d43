package org.lvlmworkbench.app.views.tokens;

import java.util.List;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import org.lvlmworkbench.app.widgets.ChoiceLabels;
import org.lvlmworkbench.app.widgets.ColorMap;
import org.lvlmworkbench.app.widgets.ItemLists;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.PatchOverlayView;
import org.lvlmworkbench.app.widgets.ProbeSetBar;
import org.lvlmworkbench.app.widgets.TokenStrip;
import org.lvlmworkbench.core.analysis.tokens.ItemTokenImportance;
import org.lvlmworkbench.core.model.PatchGrid;

/** Binds the Visual tokens view's controls to its view-model; holds no state of its own. */
public final class TokensController {

    private final TokensViewModel vm;

    @FXML private ProbeSetBar probes;
    @FXML private ListView<ItemTokenImportance> itemList;
    @FXML private ChoiceBox<TokensViewModel.Mode> modeChoice;
    @FXML private Label layerLabel;
    @FXML private Slider layerSlider;
    @FXML private Spinner<Integer> headSpinner;
    @FXML private Spinner<Integer> fastVSpinner;
    @FXML private CheckBox gridToggle;
    @FXML private TokenStrip queryStrip;
    @FXML private Label captionLabel;
    @FXML private PatchOverlayView patchOverlay;
    @FXML private LineChartView shareChart;

    TokensController(TokensViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        probes.bind(vm.source, vm.runDisabled, vm::run);

        ItemLists.bind(itemList, vm.items, TokensViewModel::itemText, vm.selected);

        modeChoice.getItems().setAll(TokensViewModel.Mode.values());
        modeChoice.setConverter(ChoiceLabels.of(TokensViewModel.Mode::label));
        modeChoice.valueProperty().bindBidirectional(vm.mode);
        layerSlider.disableProperty().bind(vm.layerUsed.not().or(vm.layers.lessThan(2)));
        vm.layers.addListener((obs, old, n) -> layerSlider.setMax(Math.max(1, n.intValue() - 1)));
        layerSlider.valueProperty().addListener((obs, old, v) -> vm.layer.set((int) Math.round(v.doubleValue())));
        vm.layer.addListener((obs, old, l) -> {
            layerSlider.setValue(l.intValue());
            layerLabel.setText("Block " + l);
        });
        layerLabel.setText("Block " + vm.layer.get());
        headSpinner.disableProperty().bind(vm.headUsed.not());
        bindSpinner(headSpinner, vm.heads.get(), vm.head.get(), 0);
        vm.heads.addListener((obs, old, n) -> bindSpinner(headSpinner, n.intValue(), vm.head.get(), 0));
        vm.head.addListener((obs, old, h) -> headSpinner.getValueFactory().setValue(h.intValue()));
        headSpinner.valueProperty().addListener((obs, old, h) -> vm.head.set(h));
        fastVSpinner.disableProperty().bind(vm.fastVUsed.not());
        bindSpinner(fastVSpinner, vm.layers.get(), vm.fastVK.get(), 1);
        vm.layers.addListener((obs, old, n) -> bindSpinner(fastVSpinner, n.intValue(), vm.fastVK.get(), 1));
        vm.fastVK.addListener((obs, old, k) -> fastVSpinner.getValueFactory().setValue(k.intValue()));
        fastVSpinner.valueProperty().addListener((obs, old, k) -> vm.fastVK.set(k));
        fastVSpinner.setTooltip(new Tooltip("FastV (arXiv 2403.06764) ranks image tokens by the head-mean attention "
                + "of layer K − 1 from the last prompt position and keeps the highest"));

        queryStrip.disableProperty().bind(vm.queryUsed.not());
        vm.queryTokens.addListener((ListChangeListener<TokensViewModel.QueryToken>) change -> showQueries());
        queryStrip.selectedIndexProperty().addListener((obs, old, index) -> {
            int i = index.intValue();
            if (i >= 0 && i < vm.queryTokens.size()) {
                vm.queryPosition.set(vm.queryTokens.get(i).position());
            }
        });
        vm.queryPosition.addListener((obs, old, position) -> queryStrip.selectedIndexProperty().set(queryIndex()));
        showQueries();
        captionLabel.textProperty().bind(vm.caption);

        patchOverlay.setColorMap(ColorMap.VIRIDIS);
        patchOverlay.setOverlayOpacity(0.7);
        patchOverlay.setCellLabeler(vm::patchLabel);
        patchOverlay.setShowGrid(gridToggle.isSelected());
        gridToggle.selectedProperty().addListener((obs, was, on) -> patchOverlay.setShowGrid(on));
        vm.grid.addListener((obs, old, grid) -> showOverlay());
        vm.overlay.addListener((obs, old, values) -> showOverlay());
        vm.valueLabel.addListener((obs, old, label) -> patchOverlay.setValueLabel(label, ""));
        patchOverlay.setValueLabel(vm.valueLabel.get(), "");
        showOverlay();

        shareChart.setAxisLabels("decoder block", "share of attention");
        shareChart.setPlaceholder("Run, then pick an item.");
        vm.imageShare.addListener((obs, old, series) -> shareChart.setSeries(series));
        vm.shareMarkers.addListener((obs, old, markers) -> shareChart.setMarkers(markers));
    }

    private void showOverlay() {
        PatchGrid grid = vm.grid.get();
        double[][] values = vm.overlay.get();
        patchOverlay.setImage(grid == null ? null : grid.processed());
        patchOverlay.setGrid(grid == null ? 0 : grid.rows(), grid == null ? 0 : grid.cols());
        patchOverlay.setValues(grid == null || values == null || values.length != grid.rows() ? null : values);
    }

    private void showQueries() {
        List<TokenStrip.Chip> chips = vm.queryTokens.stream().map(q -> new TokenStrip.Chip(q.text(),
                "position " + q.position() + " · " + q.kind().name().toLowerCase()
                        + (q.answerQuery() ? " · predicts the answer's first token" : ""),
                q.answerQuery())).toList();
        queryStrip.setChips(chips, queryIndex());
    }

    private int queryIndex() {
        for (int i = 0; i < vm.queryTokens.size(); i++) {
            if (vm.queryTokens.get(i).position() == vm.queryPosition.get()) {
                return i;
            }
        }
        return -1;
    }

    /** Gives {@code spinner} the range {@code [min, min + count − 1]} (at least one value) at {@code value}. */
    private static void bindSpinner(Spinner<Integer> spinner, int count, int value, int min) {
        int max = Math.max(min, min + count - 1);
        spinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(min, max,
                Math.max(min, Math.min(max, value))));
    }
}
