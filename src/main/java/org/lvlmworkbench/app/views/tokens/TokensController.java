package org.lvlmworkbench.app.views.tokens;

import java.util.List;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
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
    @FXML private Label shareTitle;
    @FXML private Label pruneMethodLabel;
    @FXML private ChoiceBox<PruningViewModel.Method> pruneMethodChoice;
    @FXML private Label pruneLayerLabel;
    @FXML private Slider pruneLayerSlider;
    @FXML private Label pruneLayerValue;
    @FXML private Label pruneKeepLabel;
    @FXML private Slider pruneKeepSlider;
    @FXML private Label pruneKeepValue;
    @FXML private Label minKeepLabel;
    @FXML private Spinner<Integer> minKeepSpinner;
    @FXML private Button fitMassButton;
    @FXML private Spinner<Integer> fitRemovedSpinner;
    @FXML private javafx.scene.layout.HBox adaptiveFitBox;
    @FXML private Label fitLabel;
    @FXML private Button previewButton;
    @FXML private Button addPruningButton;
    @FXML private Button removePruningButton;
    @FXML private HBox scheduleBox;
    @FXML private Label policyLabel;
    @FXML private Label previewLabel;
    @FXML private Label planPruningLabel;
    @FXML private Label pruningNotice;

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
        vm.noValueText.addListener((obs, old, text) -> patchOverlay.setNoValueText(text));
        vm.overlayRange.addListener((obs, old, range) -> {
            if (range == null) {
                patchOverlay.setAutoRange();
            } else {
                patchOverlay.setRange(range.min(), range.max());
            }
        });
        vm.mode.addListener((obs, old, m) -> {
            boolean pruned = m == TokensViewModel.Mode.PRUNED;
            patchOverlay.setOverlayOpacity(pruned ? 0.8 : 0.7);
            shareTitle.setText(pruned ? "Image tokens each block sees" : "Attention on the image, per block");
            shareChart.setAxisLabels("decoder block", pruned ? "image tokens" : "share of attention");
        });
        patchOverlay.setValueLabel(vm.valueLabel.get(), "");
        showOverlay();

        shareChart.setAxisLabels("decoder block", "share of attention");
        shareChart.setPlaceholder("Run, then pick an item.");
        vm.imageShare.addListener((obs, old, series) -> shareChart.setSeries(series));
        vm.shareMarkers.addListener((obs, old, markers) -> shareChart.setMarkers(markers));
        bindPruning();
    }

    private void bindPruning() {
        PruningViewModel p = vm.pruning;
        pruneMethodChoice.getItems().setAll(PruningViewModel.Method.values());
        pruneMethodChoice.setConverter(ChoiceLabels.of(PruningViewModel.Method::label));
        pruneMethodChoice.valueProperty().bindBidirectional(p.method);
        pruneMethodChoice.setTooltip(new Tooltip("FastV: keep the image tokens the last prompt token attends to most at "
                + "layer K − 1. Schedule: FastV's score with a keep fraction per layer. Adaptive: the fewest tokens "
                + "holding a share of that attention. Diversity (DivPrune): the most mutually different hidden states"));
        pruneMethodLabel.setLabelFor(pruneMethodChoice);
        pruneMethodChoice.valueProperty().addListener((obs, old, m) -> vm.previewPruning());

        Runnable shown = () -> {
            boolean isSchedule = p.scheduleShown.get();
            for (javafx.scene.Node n : List.of(pruneLayerLabel, pruneLayerSlider, pruneLayerValue, pruneKeepLabel,
                    pruneKeepSlider, pruneKeepValue)) {
                n.setVisible(!isSchedule);
                n.setManaged(!isSchedule);
            }
            boolean adaptive = p.method.get() == PruningViewModel.Method.ADAPTIVE;
            minKeepLabel.setVisible(adaptive);
            minKeepLabel.setManaged(adaptive);
            minKeepSpinner.setVisible(adaptive);
            minKeepSpinner.setManaged(adaptive);
            for (javafx.scene.Node n : List.of(adaptiveFitBox, fitLabel)) {
                n.setVisible(adaptive);
                n.setManaged(adaptive);
            }
            scheduleBox.setVisible(isSchedule);
            scheduleBox.setManaged(isSchedule);
            pruneKeepLabel.setText(adaptive ? "_Mass" : "_Keep");
        };
        p.method.addListener((obs, old, m) -> shown.run());
        shown.run();

        // The slider's range follows the model (the value set by the view-model stays in it); none yet: 1..7.
        p.layers.addListener((obs, old, n) -> {
            if (n.intValue() > 1) {
                pruneLayerSlider.setMax(n.intValue() - 1);
            }
        });
        if (p.layers.get() > 1) {
            pruneLayerSlider.setMax(p.layers.get() - 1);
        }
        pruneLayerSlider.valueProperty().bindBidirectional(p.layer);
        pruneLayerSlider.setTooltip(new Tooltip("K: the decoder layer before which the stage removes image tokens "
                + "(from 1: FastV's score reads layer K − 1); arrow keys step by one"));
        pruneLayerLabel.setLabelFor(pruneLayerSlider);
        pruneLayerValue.textProperty().bind(p.layer.asString());
        previewWhenLetGo(pruneLayerSlider);
        pruneKeepSlider.valueProperty().bindBidirectional(p.keep);
        pruneKeepSlider.setTooltip(new Tooltip("The fraction of the image tokens kept (FastV, diversity) or of the "
                + "attention to them the kept ones hold (adaptive)"));
        pruneKeepLabel.setLabelFor(pruneKeepSlider);
        pruneKeepValue.textProperty().bind(p.keep.multiply(100).asString("%.0f %%"));
        previewWhenLetGo(pruneKeepSlider);
        minKeepSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, 4096, p.minKeep.get()));
        minKeepSpinner.valueProperty().addListener((obs, old, v) -> p.minKeep.set(v));
        minKeepSpinner.setTooltip(new Tooltip("Adaptive keeps at least this many image tokens"));
        fitRemovedSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(5, 95,
                p.fitRemovedPercent.get(), 5));
        fitRemovedSpinner.valueProperty().addListener((obs, old, v) -> p.fitRemovedPercent.set(v));
        fitRemovedSpinner.setTooltip(new Tooltip("The share of image tokens the fitted mass removes on average"));
        fitMassButton.disableProperty().bind(p.disabled);
        fitMassButton.setTooltip(new Tooltip("Set the mass to the one that removes this share of the image tokens on "
                + "average over the calibration items, to compare adaptive pruning with FastV or diversity at the same "
                + "mean budget (per item it still varies)"));
        fitLabel.textProperty().bind(p.fitText);

        p.schedule.addListener((ListChangeListener<javafx.beans.property.DoubleProperty>) c -> showSchedule());
        showSchedule();

        previewButton.disableProperty().bind(p.disabled.or(vm.selected.isNull()));
        previewButton.setTooltip(new Tooltip("Run the selected item through the pruned model and show the patches it "
                + "keeps (also after each change of the controls)"));
        addPruningButton.disableProperty().bind(p.disabled);
        addPruningButton.setTooltip(new Tooltip("Put this policy into the compression plan (replacing its pruning)"));
        removePruningButton.disableProperty().bind(p.disabled);
        removePruningButton.setTooltip(new Tooltip("Take visual-token pruning out of the plan"));
        policyLabel.textProperty().bind(p.policyText);
        previewLabel.textProperty().bind(p.previewText);
        planPruningLabel.textProperty().bind(p.planText);
        pruningNotice.textProperty().bind(p.notice());
        pruningNotice.managedProperty().bind(p.notice().isNotEmpty());
    }

    /** One vertical slider per layer from 1 on: the keep fraction of the original image tokens there. */
    private void showSchedule() {
        scheduleBox.getChildren().clear();
        var keeps = vm.pruning.schedule;
        Label title = new Label("keep per layer");
        title.getStyleClass().add("field-label");
        title.setMinWidth(Label.USE_PREF_SIZE);
        scheduleBox.getChildren().add(title);
        for (int l = 1; l < keeps.size(); l++) {
            var keep = keeps.get(l);
            Slider s = new Slider(0.05, 1, keep.get());
            s.setOrientation(Orientation.VERTICAL);
            s.setBlockIncrement(0.05);
            s.setMajorTickUnit(0.05);
            s.setMinorTickCount(0);
            s.setSnapToTicks(true);
            s.valueProperty().bindBidirectional(keep);
            s.setTooltip(new Tooltip("Layer " + l + ": keep this fraction of the prompt's original image tokens from "
                    + "here on (never more than the layer before)"));
            previewWhenLetGo(s);
            Label value = new Label();
            value.textProperty().bind(keep.multiply(100).asString("%.0f%%"));
            value.getStyleClass().add("caption");
            Label name = new Label("L" + l);
            name.getStyleClass().add("field-label");
            VBox column = new VBox(2, value, s, name);
            column.setAlignment(Pos.BOTTOM_CENTER);
            column.setId("scheduleLayer" + l);
            scheduleBox.getChildren().add(column);
        }
    }

    /** A drag's end, or a key or click step, previews the new policy. */
    private void previewWhenLetGo(Slider slider) {
        slider.valueChangingProperty().addListener((obs, was, changing) -> {
            if (was && !changing) {
                vm.previewPruning();
            }
        });
        slider.valueProperty().addListener((obs, old, v) -> {
            if (!slider.isValueChanging() && slider.isFocused()) {
                vm.previewPruning();
            }
        });
    }

    @FXML
    private void onFitMass() {
        vm.pruning.fitMass(vm::previewPruning); // the patches the fitted mass keeps, at once
    }

    @FXML
    private void onPreview() {
        vm.previewPruning();
    }

    @FXML
    private void onAddPruning() {
        vm.pruning.addToPlan();
    }

    @FXML
    private void onRemovePruning() {
        vm.pruning.removeFromPlan();
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
