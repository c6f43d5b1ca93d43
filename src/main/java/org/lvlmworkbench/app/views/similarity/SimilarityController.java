package org.lvlmworkbench.app.views.similarity;

import java.util.Locale;
import java.util.function.Predicate;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import org.lvlmworkbench.app.widgets.ChoiceLabels;
import org.lvlmworkbench.app.widgets.ColorMap;
import org.lvlmworkbench.app.widgets.HeatmapData;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.ProbeSetBar;
import org.lvlmworkbench.core.analysis.similarity.CkaKernel;
import org.lvlmworkbench.core.analysis.similarity.TokenSelection;
import org.lvlmworkbench.core.compress.plan.MergeFormula;

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
    @FXML private Label mergeFromLabel;
    @FXML private Spinner<Integer> mergeFromSpinner;
    @FXML private Spinner<Integer> mergeToSpinner;
    @FXML private ChoiceBox<MergeFormula> formulaChoice;
    @FXML private Button mergeButton;
    @FXML private Button scoresButton;
    @FXML private Label scoresCaption;
    @FXML private TableView<DepthViewModel.LayerRow> layerTable;
    @FXML private TableColumn<DepthViewModel.LayerRow, Integer> layerColumn;
    @FXML private TableColumn<DepthViewModel.LayerRow, Double> biColumn;
    @FXML private TableColumn<DepthViewModel.LayerRow, Double> attnScoreColumn;
    @FXML private TableColumn<DepthViewModel.LayerRow, Double> mlpScoreColumn;
    @FXML private TableColumn<DepthViewModel.LayerRow, DepthViewModel.LayerRow> dropBlockColumn;
    @FXML private TableColumn<DepthViewModel.LayerRow, DepthViewModel.LayerRow> dropAttnColumn;
    @FXML private TableColumn<DepthViewModel.LayerRow, DepthViewModel.LayerRow> dropMlpColumn;
    @FXML private TableColumn<DepthViewModel.LayerRow, String> mergeColumn;
    @FXML private Button shortGptButton;
    @FXML private Spinner<Integer> dropCountSpinner;
    @FXML private Button slmButton;
    @FXML private Spinner<Double> thresholdSpinner;
    @FXML private Label suggestionLabel;
    @FXML private Label noticeLabel;

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
        bindDepth();
    }

    private void bindDepth() {
        DepthViewModel d = vm.depth;
        // A drag on the decoder's map picks the layers to merge; the spinners show it and can type it.
        ckaMap.setOnRangeSelected((from, to) -> {
            if (SimilarityViewModel.TEXT.equals(vm.tower.get()) && vm.currentMatrix() != null) {
                d.selectRange(vm.currentMatrix().labels(), from, to);
            }
        });
        mergeFromSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 255, 0));
        mergeToSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(0, 255, 1));
        mergeFromSpinner.valueProperty().addListener((obs, old, v) -> d.mergeFirst.set(v));
        mergeToSpinner.valueProperty().addListener((obs, old, v) -> d.mergeLast.set(v));
        d.mergeFirst.addListener((obs, old, v) -> {
            if (v.intValue() >= 0) {
                mergeFromSpinner.getValueFactory().setValue(v.intValue());
            }
            showRange();
        });
        d.mergeLast.addListener((obs, old, v) -> {
            if (v.intValue() >= 0) {
                mergeToSpinner.getValueFactory().setValue(v.intValue());
            }
            showRange();
        });
        mergeFromSpinner.setTooltip(new Tooltip("First decoder layer to merge (a drag on the decoder's CKA map sets it)"));
        mergeToSpinner.setTooltip(new Tooltip("Last decoder layer to merge"));
        mergeFromLabel.setLabelFor(mergeFromSpinner);
        formulaChoice.getItems().setAll(MergeFormula.values());
        formulaChoice.setConverter(ChoiceLabels.of(f -> f == MergeFormula.RDSC ? "RDSC"
                : "copy-top (published code)"));
        formulaChoice.valueProperty().bindBidirectional(d.formula);
        formulaChoice.setTooltip(new Tooltip("RDSC: θ_l + Σ(θ_{l+k} − θ_l), LaCo's formula that SLM uses. copy-top: "
                + "what the published LaCo/SLM code computes (it updates θ_l in place, which leaves the top layer's "
                + "weights), kept only to compare"));
        mergeButton.setMnemonicParsing(true);
        mergeButton.textProperty().bind(javafx.beans.binding.Bindings.concat("_", d.mergeText));
        mergeButton.disableProperty().bind(d.mergeDisabled);
        mergeButton.setTooltip(new Tooltip("Add the merge of these consecutive decoder layers into one to the plan "
                + "(Alt+M)"));

        scoresButton.disableProperty().bind(d.disabled);
        scoresButton.setTooltip(new Tooltip("Measure ShortGPT's Block Influence and LLM-Drop's attention and MLP "
                + "importance per layer on the calibration items, for the token selection above"));
        scoresCaption.textProperty().bind(d.scoresCaption);
        layerTable.setItems(d.layers);
        layerColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().layer()));
        biColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().blockInfluence()));
        attnScoreColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().attentionImportance()));
        mlpScoreColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().mlpImportance()));
        for (TableColumn<DepthViewModel.LayerRow, Double> col : java.util.List.of(biColumn, attnScoreColumn,
                mlpScoreColumn)) {
            col.setCellFactory(x -> scoreCell());
        }
        dropBlockColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue()));
        dropBlockColumn.setCellFactory(x -> toggleCell(DepthViewModel.LayerRow::droppedBlock, d::setDropBlock,
                "Drop the whole block (ShortGPT); key B"));
        dropAttnColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue()));
        dropAttnColumn.setCellFactory(x -> toggleCell(DepthViewModel.LayerRow::droppedAttention, d::setDropAttention,
                "Drop the attention sub-layer (LLM-Drop); key A"));
        dropMlpColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue()));
        dropMlpColumn.setCellFactory(x -> toggleCell(DepthViewModel.LayerRow::droppedMlp, d::setDropMlp,
                "Drop the MLP sub-layer (LLM-Drop); key M"));
        mergeColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().mergeText()));
        layerTable.setTooltip(new Tooltip("BI: Block Influence (ShortGPT), Attn/MLP: LLM-Drop's importance, each a mean "
                + "1 − cos on the calibration items; lowest first to drop. Keys on a row: B drops the block, A its "
                + "attention, M its MLP"));
        layerTable.setOnKeyPressed(e -> {
            DepthViewModel.LayerRow row = layerTable.getSelectionModel().getSelectedItem();
            if (row == null) {
                return;
            }
            if (e.getCode() == KeyCode.B) {
                d.setDropBlock(row.layer(), !row.droppedBlock());
            } else if (e.getCode() == KeyCode.A) {
                d.setDropAttention(row.layer(), !row.droppedAttention());
            } else if (e.getCode() == KeyCode.M) {
                d.setDropMlp(row.layer(), !row.droppedMlp());
            } else {
                return;
            }
            e.consume();
        });

        dropCountSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 255, 1));
        dropCountSpinner.getValueFactory().valueProperty().addListener((obs, old, v) -> d.dropCount.set(v));
        dropCountSpinner.setTooltip(new Tooltip("How many blocks ShortGPT's suggestion drops"));
        shortGptButton.disableProperty().bind(d.disabled);
        shortGptButton.setTooltip(new Tooltip("Add ShortGPT's suggestion to the plan: drop the n blocks of lowest Block "
                + "Influence among those the plan keeps whole"));
        thresholdSpinner.setValueFactory(new SpinnerValueFactory.DoubleSpinnerValueFactory(-0.99, 0.99,
                d.slmThreshold.get(), 0.01));
        thresholdSpinner.getValueFactory().valueProperty().addListener((obs, old, v) -> d.slmThreshold.set(v));
        thresholdSpinner.setTooltip(new Tooltip("SLM's threshold: a window of layers is merged while the merged model's "
                + "last hidden state keeps a mean cosine above it with the original's (0.72 in the paper)"));
        slmButton.disableProperty().bind(d.disabled);
        slmButton.setTooltip(new Tooltip("Add SLM's sliding-window merges at the threshold to the plan (each candidate "
                + "is a real merged model run on the calibration items)"));
        suggestionLabel.textProperty().bind(d.suggestionText);
        noticeLabel.textProperty().bind(d.notice());
        noticeLabel.managedProperty().bind(d.notice().isNotEmpty());
    }

    @FXML
    private void onMerge() {
        vm.depth.merge();
    }

    @FXML
    private void onScores() {
        vm.depth.measureScores();
    }

    @FXML
    private void onShortGpt() {
        vm.depth.suggestShortGpt();
    }

    @FXML
    private void onSlm() {
        vm.depth.suggestSlm();
    }

    /** The merge range on the decoder's map: block {@code b} is index {@code b + 1} (index 0 is the embeddings). */
    private void showRange() {
        int a = vm.depth.mergeFirst.get();
        int b = vm.depth.mergeLast.get();
        if (SimilarityViewModel.TEXT.equals(vm.tower.get()) && vm.currentMatrix() != null && a >= 0 && b > a
                && b + 1 < vm.currentMatrix().labels().size()) {
            ckaMap.selectRange(a + 1, b + 1);
        } else {
            ckaMap.selectRange(-1, -1);
        }
    }

    private static TableCell<DepthViewModel.LayerRow, Double> scoreCell() {
        return new TableCell<>() {
            @Override
            protected void updateItem(Double v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty || v == null ? null : Double.isNaN(v) ? "—" : String.format(Locale.ROOT, "%.4f", v));
            }
        };
    }

    /** A check box per row showing {@code state} and calling {@code toggle(layer, selected)} when clicked. */
    private static TableCell<DepthViewModel.LayerRow, DepthViewModel.LayerRow> toggleCell(
            Predicate<DepthViewModel.LayerRow> state, ToggleAction toggle, String tooltip) {
        return new TableCell<>() {
            private final CheckBox box = new CheckBox();

            {
                box.setFocusTraversable(false);
                box.setTooltip(new Tooltip(tooltip));
                box.setOnAction(e -> {
                    DepthViewModel.LayerRow row = getItem();
                    if (row != null) {
                        toggle.apply(row.layer(), box.isSelected());
                    }
                });
                getStyleClass().add("toggle-cell");
            }

            @Override
            protected void updateItem(DepthViewModel.LayerRow row, boolean empty) {
                super.updateItem(row, empty);
                if (empty || row == null) {
                    setGraphic(null);
                } else {
                    box.setSelected(state.test(row));
                    setGraphic(box);
                }
            }
        };
    }

    @FunctionalInterface
    private interface ToggleAction {
        void apply(int layer, boolean on);
    }

    private void showMatrix(HeatmapData data) {
        ckaMap.show(data);
        ckaMap.clearSelection();
        showRange();
    }
}
