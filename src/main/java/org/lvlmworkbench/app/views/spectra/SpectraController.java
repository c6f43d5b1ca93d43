package org.lvlmworkbench.app.views.spectra;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Slider;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.Tooltip;
import org.lvlmworkbench.app.widgets.ChoiceLabels;
import org.lvlmworkbench.app.widgets.ColorMap;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.app.widgets.ItemLists;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.ProbeSetBar;
import org.lvlmworkbench.core.compress.lowrank.Allocation;
import org.lvlmworkbench.core.compress.lowrank.LowRankMethod;

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
    @FXML private Label methodLabel;
    @FXML private ChoiceBox<LowRankMethod> methodChoice;
    @FXML private Label rankLabel;
    @FXML private Slider rankSlider;
    @FXML private Label rankValue;
    @FXML private Label planStateLabel;
    @FXML private Label rankReadout;
    @FXML private Label groupLabel;
    @FXML private ChoiceBox<String> roleChoice;
    @FXML private Slider groupSlider;
    @FXML private Label groupReadout;
    @FXML private Label allocationLabel;
    @FXML private ChoiceBox<Allocation> allocationChoice;
    @FXML private Slider ratioSlider;
    @FXML private Label ratioValue;
    @FXML private Button allocateButton;
    @FXML private Label allocationReadout;
    @FXML private Label noticeLabel;
    /** True while a slider is moved to follow the view-model, so that it commits nothing. */
    private boolean following;

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
        vm.energy.addListener((obs, old, series) -> showEnergy());
        vm.energyMarkers.addListener((obs, old, markers) -> showEnergyMarkers());

        rankMap.setColorMap(ColorMap.VIRIDIS);
        rankMap.setPlaceholder("Run to map the effective rank of every block's weights.");
        rankMap.setOnCellClicked(vm::selectCell);
        vm.rankMap.addListener((obs, old, data) -> rankMap.show(data));
        bindLowRank();
    }

    private void bindLowRank() {
        LowRankViewModel lr = vm.lowRank;
        // SoCo's components come from training over every matrix at once (plan --method soco), not one matrix's SVD.
        methodChoice.getItems().setAll(java.util.Arrays.stream(LowRankMethod.values())
                .filter(m -> m != LowRankMethod.SOCO).toList());
        methodChoice.setConverter(ChoiceLabels.of(SpectraController::methodName));
        methodChoice.valueProperty().bindBidirectional(lr.method);
        methodChoice.setTooltip(new Tooltip("How the weight is factorised before truncation: plain SVD, ASVD, SVD-LLM, "
                + "SVD-LLM V2 or DipSVD (the data-aware ones use the calibration items)"));
        methodLabel.setLabelFor(methodChoice);

        // A new weight's range must not commit the clamped value to the plan.
        lr.maxRank.addListener((obs, old, max) -> {
            following = true;
            try {
                rankSlider.setMax(max.doubleValue());
                // A smaller range clamped the slider; the rank in hand may not change, so nothing else resets it.
                rankSlider.setValue(lr.rank.get());
            } finally {
                following = false;
            }
        });
        rankSlider.disableProperty().bind(lr.curve.isNull());
        rankSlider.setTooltip(new Tooltip("The selected weight's rank: the marks move as you drag; letting go puts it "
                + "in the plan (past break-even the weight stays dense). Arrow keys step by one"));
        rankLabel.setLabelFor(rankSlider);
        lr.rank.addListener((obs, old, k) -> follow(rankSlider, k.doubleValue()));
        rankSlider.valueProperty().addListener((obs, old, v) -> {
            lr.rank.set((int) Math.round(v.doubleValue()));
            if (!following && !rankSlider.isValueChanging()) {
                lr.commitRank();
            }
        });
        commitWhenLetGo(rankSlider, lr::commitRank);
        rankValue.textProperty().bind(lr.rank.asString("rank %d"));
        planStateLabel.textProperty().bind(lr.planState);
        rankReadout.textProperty().bind(lr.readout);
        lr.noSaving.addListener((obs, was, no) -> {
            rankReadout.getStyleClass().remove("no-saving");
            if (no) {
                rankReadout.getStyleClass().add("no-saving");
            }
        });
        lr.rankMarkers.addListener((obs, old, markers) -> {
            spectrumChart.setMarkers(markers);
            showEnergyMarkers();
        });
        lr.curve.addListener((obs, old, c) -> showEnergy());

        roleChoice.setItems(lr.roles);
        roleChoice.setConverter(ChoiceLabels.of(r -> "all " + r + "_proj"));
        roleChoice.valueProperty().bindBidirectional(lr.groupRole);
        roleChoice.setTooltip(new Tooltip("Which role the group slider sets, in every decoder layer the plan keeps"));
        groupLabel.setLabelFor(roleChoice);
        groupSlider.valueProperty().bindBidirectional(lr.groupKeep);
        groupSlider.setTooltip(new Tooltip("Keep fraction of each matrix's parameters for the whole group "
                + "(rank ⌊keep·mn/(m+n)⌋); letting go sets every rank of the group at once; 100 % is dense"));
        groupSlider.valueProperty().addListener((obs, old, v) -> {
            if (!following && !groupSlider.isValueChanging()) {
                lr.commitGroup();
            }
        });
        commitWhenLetGo(groupSlider, lr::commitGroup);
        groupReadout.textProperty().bind(lr.groupReadout);

        allocationChoice.getItems().setAll(Allocation.values());
        allocationChoice.setConverter(ChoiceLabels.of(SpectraController::allocationName));
        allocationChoice.valueProperty().bindBidirectional(lr.allocation);
        allocationChoice.setTooltip(new Tooltip("How a parameter budget is shared among the decoder's matrices"));
        allocationLabel.setLabelFor(allocationChoice);
        ratioSlider.valueProperty().bindBidirectional(lr.targetRatio);
        ratioSlider.setTooltip(new Tooltip("Target: the fraction of the decoder's linear parameters to remove; letting "
                + "go allocates every rank (on the worker)"));
        ratioSlider.valueProperty().addListener((obs, old, v) -> {
            if (!following && !ratioSlider.isValueChanging()) {
                lr.allocate();
            }
        });
        commitWhenLetGo(ratioSlider, lr::allocate);
        ratioValue.textProperty().bind(lr.targetRatio.multiply(100).asString("−%.0f %%"));
        allocateButton.disableProperty().bind(lr.disabled);
        allocateButton.setTooltip(new Tooltip("Set every decoder rank with the allocator and the target ratio "
                + "(through Compressor.allocate, on the worker)"));
        allocationReadout.textProperty().bind(lr.allocationReadout);
        noticeLabel.textProperty().bind(lr.notice());
        noticeLabel.managedProperty().bind(lr.notice().isNotEmpty());
    }

    @FXML
    private void onAllocate() {
        vm.lowRank.allocate();
    }

    /** Moves {@code slider} to {@code value} without committing it. */
    private void follow(Slider slider, double value) {
        if (slider.getValue() != value) {
            following = true;
            try {
                slider.setValue(value);
            } finally {
                following = false;
            }
        }
    }

    /** Commits when a drag of the thumb ends. */
    private static void commitWhenLetGo(Slider slider, Runnable commit) {
        slider.valueChangingProperty().addListener((obs, was, changing) -> {
            if (was && !changing) {
                commit.run();
            }
        });
    }

    /** The analysis's curves, and the selected method's energy and loss share when the method is not plain SVD. */
    private void showEnergy() {
        List<LineChartView.Series> series = new ArrayList<>(vm.energy.get());
        RankMarks.Curve c = vm.lowRank.curve.get();
        if (c != null && !series.isEmpty() && !c.method().equals(LowRankMethod.PLAIN.jsonName())) {
            double[] x = new double[c.energy().length];
            double[] share = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                x[k] = k;
                share[k] = c.loss()[0] == 0 ? 0 : c.loss()[k] / c.loss()[0];
            }
            series.add(new LineChartView.Series("energy of W·T (" + c.method() + ")", x, c.energy()));
            series.add(new LineChartView.Series("predicted loss share (" + c.method() + ")", x, share));
        }
        energyChart.setSeries(series);
    }

    /** The analysis's markers (90 % energy, break-even) and the rank line. */
    private void showEnergyMarkers() {
        List<LineChartView.Marker> markers = new ArrayList<>(vm.energyMarkers.get());
        for (LineChartView.Marker m : vm.lowRank.rankMarkers.get()) {
            if (m.label().startsWith("rank ")) {
                markers.add(m);
            }
        }
        energyChart.setMarkers(markers);
    }

    private static String methodName(LowRankMethod m) {
        return switch (m) {
            case PLAIN -> "plain SVD";
            case ASVD -> "ASVD";
            case SVD_LLM -> "SVD-LLM";
            case SVD_LLM_V2 -> "SVD-LLM V2";
            case DIPSVD -> "DipSVD";
            case SOCO -> "SoCo";
        };
    }

    private static String allocationName(Allocation a) {
        return switch (a) {
            case UNIFORM -> "uniform";
            case ENERGY -> "energy";
            case LOSS -> "loss (V2)";
            case ERANK -> "eRank (D-Rank)";
            case DIP -> "DipSVD";
        };
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
