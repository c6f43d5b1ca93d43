package org.lvlmworkbench.app.views.compress;

import java.io.File;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import javafx.scene.control.TreeCell;
import javafx.scene.control.TreeItem;
import javafx.scene.control.TreeView;
import javafx.scene.input.KeyCode;
import javafx.stage.FileChooser;
import org.lvlmworkbench.app.widgets.ChoiceLabels;
import org.lvlmworkbench.app.widgets.ParetoChartView;
import org.lvlmworkbench.core.compress.evaluate.ItemResult;

/** Binds the Compress view's controls to its view-model; holds no state of its own. */
public final class CompressController {

    private final PlanViewModel vm;
    /** Held: a bidirectional binding keeps only weak references, and these bridges have no other owner. */
    private javafx.beans.property.ObjectProperty<Integer> calibrationCount;
    private javafx.beans.property.ObjectProperty<Integer> evaluationCount;

    @FXML private Button undoButton;
    @FXML private Button redoButton;
    @FXML private Button openButton;
    @FXML private Button saveButton;
    @FXML private Button exportButton;
    @FXML private Label calibrationLabel;
    @FXML private Spinner<Integer> calibrationSpinner;
    @FXML private Label evaluationLabel;
    @FXML private Spinner<Integer> evaluationSpinner;
    @FXML private Button evaluateButton;
    @FXML private Label planSummary;
    @FXML private Label noticeLabel;
    @FXML private TreeView<Object> planTree;
    @FXML private Button removeButton;
    @FXML private Label evaluationCaption;
    @FXML private TableView<PlanMetrics.Row> metricsTable;
    @FXML private TableColumn<PlanMetrics.Row, String> metricColumn;
    @FXML private TableColumn<PlanMetrics.Row, String> originalColumn;
    @FXML private TableColumn<PlanMetrics.Row, String> compressedColumn;
    @FXML private TableColumn<PlanMetrics.Row, String> changeColumn;
    @FXML private Label axisLabel;
    @FXML private ChoiceBox<PlanViewModel.CostAxis> axisChoice;
    @FXML private ParetoChartView paretoChart;
    @FXML private TableView<ItemResult> itemTable;
    @FXML private TableColumn<ItemResult, Integer> itemIndexColumn;
    @FXML private TableColumn<ItemResult, String> itemTypeColumn;
    @FXML private TableColumn<ItemResult, String> itemPromptColumn;
    @FXML private TableColumn<ItemResult, String> itemExpectedColumn;
    @FXML private TableColumn<ItemResult, String> itemOriginalColumn;
    @FXML private TableColumn<ItemResult, String> itemCompressedColumn;
    @FXML private TableColumn<ItemResult, String> itemKlColumn;

    CompressController(PlanViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        undoButton.disableProperty().bind(vm.undoDisabled);
        undoButton.setTooltip(new Tooltip("Undo the last change of the plan (Ctrl+Z)"));
        redoButton.disableProperty().bind(vm.redoDisabled);
        redoButton.setTooltip(new Tooltip("Redo the change undone last (Ctrl+Shift+Z)"));
        openButton.setTooltip(new Tooltip("Open a plan saved as JSON; it must have been made on this model (Ctrl+O)"));
        saveButton.disableProperty().bind(vm.noPlan);
        exportButton.disableProperty().bind(vm.noPlan);
        saveButton.setTooltip(new Tooltip("Save the plan as JSON, for the command line or later (Ctrl+S)"));
        var compression = vm.compression();
        calibrationSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 10_000,
                compression.calibrationItems.get()));
        calibrationCount = compression.calibrationItems.asObject();
        calibrationSpinner.getValueFactory().valueProperty().bindBidirectional(calibrationCount);
        calibrationSpinner.setTooltip(new Tooltip("Calibration items: the first N items of the evaluation file give "
                + "the activation statistics (Grams) of the data-aware low-rank methods, depth scores and SLM; "
                + "a change recalibrates and re-evaluates"));
        calibrationLabel.setLabelFor(calibrationSpinner);
        evaluationSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 10_000,
                compression.evaluationItems.get()));
        evaluationCount = compression.evaluationItems.asObject();
        evaluationSpinner.getValueFactory().valueProperty().bindBidirectional(evaluationCount);
        evaluationSpinner.setTooltip(new Tooltip("Evaluation items: every plan is evaluated on the first N items "
                + "of the evaluation file against the original"));
        evaluationLabel.setLabelFor(evaluationSpinner);
        evaluateButton.setTooltip(new Tooltip("Apply the plan and evaluate it again against the original"));
        evaluateButton.disableProperty().bind(compression.modelSession().readyProperty().not());

        planSummary.textProperty().bind(vm.planSummary);
        noticeLabel.textProperty().bind(compression.noticeProperty());
        noticeLabel.managedProperty().bind(compression.noticeProperty().isNotEmpty());
        planTree.setRoot(new TreeItem<>("plan"));
        planTree.setCellFactory(tree -> new TreeCell<>() {
            @Override
            protected void updateItem(Object item, boolean empty) {
                super.updateItem(item, empty);
                if (empty || item == null) {
                    setText(null);
                    setTooltip(null);
                } else if (item instanceof PlanEntries.Group g) {
                    setText(g.title());
                    setTooltip(new Tooltip("Select and press Delete to take the whole group out of the plan"));
                } else if (item instanceof PlanEntries.Entry e) {
                    setText(e.text());
                    setTooltip(new Tooltip(e.detail() + "\nDelete takes it out of the plan"));
                } else {
                    setText(item.toString());
                }
            }
        });
        vm.groups.addListener((ListChangeListener<PlanEntries.Group>) c -> showGroups());
        showGroups();
        planTree.setOnKeyPressed(e -> {
            if (e.getCode() == KeyCode.DELETE || e.getCode() == KeyCode.BACK_SPACE) {
                onRemove();
                e.consume();
            }
        });
        planTree.setTooltip(new Tooltip("Every choice of the plan; select one and press Delete (or Remove) to take it out"));
        removeButton.disableProperty().bind(planTree.getSelectionModel().selectedItemProperty().isNull());
        removeButton.setTooltip(new Tooltip("Take the selected choice (or group) out of the plan (Delete)"));

        evaluationCaption.textProperty().bind(vm.evaluationCaption);
        metricsTable.setItems(vm.metrics);
        metricColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>((c.getValue().sub() ? "    " : "")
                + c.getValue().metric()));
        originalColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().original()));
        compressedColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().compressed()));
        changeColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().change()));
        metricsTable.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(PlanMetrics.Row row, boolean empty) {
                super.updateItem(row, empty);
                getStyleClass().remove("metric-detail");
                if (!empty && row != null && row.sub()) {
                    getStyleClass().add("metric-detail");
                }
                if (empty || row == null) {
                    setTooltip(null);
                } else {
                    String why = PlanMetrics.explain(row.metric());
                    setTooltip(new Tooltip(row.metric() + ": " + row.original() + (row.original().isEmpty() ? "" : " → ")
                            + row.compressed() + (row.change().isEmpty() ? "" : " (" + row.change() + ")")
                            + (why.isEmpty() ? "" : "\n" + why)));
                }
            }
        });
        metricsTable.setTooltip(new Tooltip("The original model (reference) and the compressed one on the same items; "
                + "fills in as items finish"));

        axisChoice.getItems().setAll(PlanViewModel.CostAxis.values());
        axisChoice.setConverter(ChoiceLabels.of(PlanViewModel.CostAxis::label));
        axisChoice.valueProperty().bindBidirectional(vm.costAxis);
        axisChoice.setTooltip(new Tooltip("What the chart's x axis counts: parameters, or FLOPs per answer"));
        axisLabel.setLabelFor(axisChoice);
        paretoChart.setYUnit("%");
        paretoChart.setPlaceholder("Each evaluated plan becomes a point here.");
        showAxis();
        vm.costAxis.addListener((obs, old, axis) -> showAxis());
        vm.paretoPoints.addListener((obs, old, points) -> paretoChart.setPoints(points));
        paretoChart.setPoints(vm.paretoPoints.get());
        vm.currentPoint.addListener((obs, old, i) -> paretoChart.setCurrent(i.intValue()));
        paretoChart.setCurrent(vm.currentPoint.get());
        paretoChart.setOnPointClicked(vm::restorePoint);

        itemTable.setItems(compression.items());
        // Numbered from 1 in the file, as the caption and the CLI's tables count.
        itemIndexColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().index() + 1));
        itemTypeColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().type()));
        itemPromptColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().prompt()));
        itemExpectedColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().expected()));
        itemOriginalColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(mark(c.getValue().referenceCorrect())
                + c.getValue().reference().answer()));
        itemCompressedColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(mark(c.getValue().candidateCorrect())
                + c.getValue().candidate().answer() + (c.getValue().agrees() ? "" : "  ≠")));
        itemKlColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(String.format(Locale.ROOT, "%.4f",
                c.getValue().kl())));
        itemCompressedColumn.setCellFactory(col -> tooltipCell(s -> s.endsWith("≠")
                ? "the compressed model answers differently from the original" : null));
    }

    @FXML
    private void onUndo() {
        vm.undo();
    }

    @FXML
    private void onRedo() {
        vm.redo();
    }

    @FXML
    private void onEvaluate() {
        vm.evaluate();
    }

    @FXML
    void onSave() {
        if (vm.noPlan.get()) {
            return;
        }
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Save the compression plan");
        chooser.setInitialFileName("plan.json");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Compression plan (JSON)", "*.json"));
        File file = chooser.showSaveDialog(planTree.getScene().getWindow());
        if (file != null) {
            try {
                vm.save(file.toPath());
            } catch (RuntimeException e) {
                new Alert(Alert.AlertType.ERROR, e.getMessage()).show();
            }
        }
    }

    /** Opens the Export dialog over the window (the plan must be prepared). */
    @FXML
    void onExport() {
        if (vm.noPlan.get()) {
            return;
        }
        new org.lvlmworkbench.app.views.export.ExportDialog(planTree.getScene().getWindow(), vm.compression()).show();
    }

    @FXML
    void onOpen() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Open a compression plan");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Compression plan (JSON)", "*.json"));
        File file = chooser.showOpenDialog(planTree.getScene().getWindow());
        if (file != null) {
            vm.open(file.toPath());
        }
    }

    @FXML
    private void onRemove() {
        TreeItem<Object> selected = planTree.getSelectionModel().getSelectedItem();
        if (selected == null) {
            return;
        }
        if (selected.getValue() instanceof PlanEntries.Entry e) {
            vm.remove(e);
        } else if (selected.getValue() instanceof PlanEntries.Group g) {
            vm.remove(g);
        }
    }

    private void showGroups() {
        TreeItem<Object> root = planTree.getRoot();
        int selected = planTree.getSelectionModel().getSelectedIndex();
        root.getChildren().clear();
        for (PlanEntries.Group g : vm.groups) {
            TreeItem<Object> group = new TreeItem<>(g);
            group.setExpanded(true);
            for (PlanEntries.Entry e : g.entries()) {
                group.getChildren().add(new TreeItem<>(e));
            }
            root.getChildren().add(group);
        }
        // After a removal the selection stays near where it was, so Delete can be pressed again.
        if (selected >= 0 && planTree.getExpandedItemCount() > 0) {
            planTree.getSelectionModel().select(Math.min(selected, planTree.getExpandedItemCount() - 1));
        }
    }

    private void showAxis() {
        paretoChart.setAxisLabels(vm.costAxis.get().label(), "accuracy");
    }

    private static String mark(boolean correct) {
        return correct ? "✓ " : "✗ ";
    }

    private static <S> TableCell<S, String> tooltipCell(Function<String, String> tooltip) {
        return new TableCell<>() {
            @Override
            protected void updateItem(String value, boolean empty) {
                super.updateItem(value, empty);
                setText(empty ? null : value);
                String tip = empty || value == null ? null : tooltip.apply(value);
                setTooltip(tip == null ? null : new Tooltip(tip));
            }
        };
    }
}
