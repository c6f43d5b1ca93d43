package org.lvlmworkbench.app.views.ask;

import java.io.File;
import java.util.List;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.stage.FileChooser;
import org.lvlmworkbench.app.widgets.ItemLists;
import org.lvlmworkbench.app.widgets.LineChartView;
import org.lvlmworkbench.app.widgets.PatchOverlayView;
import org.lvlmworkbench.core.eval.EvalItem;
import org.lvlmworkbench.core.model.PatchGrid;

/** Binds the Ask view's controls to its view-model; holds no state of its own. */
public final class AskController {

    private final AskViewModel vm;

    @FXML private ListView<EvalItem> exampleList;
    @FXML private PatchOverlayView imageOverlay;
    @FXML private Label imageCaption;
    @FXML private CheckBox gridToggle;
    @FXML private TextField promptField;
    @FXML private Button askButton;
    @FXML private Button stopButton;
    @FXML private Label answerLabel;
    @FXML private Label expectedLabel;
    @FXML private Label timingLabel;
    @FXML private LineChartView tokenChart;

    AskController(AskViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        exampleList.setItems(vm.examples);
        ItemLists.showOneLineEach(exampleList, item -> item.prompt() + "  → " + item.answer(),
                item -> item.type() + ": " + item.prompt() + " → " + item.answer());
        exampleList.getSelectionModel().selectedItemProperty().addListener((obs, old, item) -> {
            if (item != null) {
                vm.selectExample(item);
            }
        });

        imageOverlay.setCellLabeler(vm::patchLabel);
        imageOverlay.setShowGrid(gridToggle.isSelected());
        gridToggle.selectedProperty().addListener((obs, was, on) -> imageOverlay.setShowGrid(on));
        vm.image.addListener((obs, old, img) -> showImage());
        vm.patchGrid.addListener((obs, old, grid) -> showImage());
        showImage();
        imageCaption.textProperty().bind(vm.imageCaption);

        promptField.textProperty().bindBidirectional(vm.prompt);
        askButton.disableProperty().bind(vm.askDisabled);
        stopButton.visibleProperty().bind(vm.busy());
        stopButton.managedProperty().bind(vm.busy());
        answerLabel.textProperty().bind(vm.answer);
        expectedLabel.textProperty().bind(Bindings.createStringBinding(
                () -> vm.expected.get().isEmpty() ? "" : "expected: " + vm.expected.get(), vm.expected));
        timingLabel.textProperty().bind(vm.timing);

        tokenChart.setLogY(true);
        tokenChart.setPlaceholder("Ask a question to see how long each token took.");
        tokenChart.setAxisLabels("generated token", "ms");
        tokenChart.setYUnit("ms");
        tokenChart.setMarkers(List.of(new LineChartView.Marker(1, "prefill")));
        vm.steps.addListener((ListChangeListener<AskViewModel.TokenStep>) change -> showSteps());
        showSteps();
    }

    /** What the vision tower sees (resized and cropped) with its patch grid, or the file as it is. */
    private void showImage() {
        PatchGrid grid = vm.patchGrid.get();
        imageOverlay.setImage(grid != null ? grid.processed() : vm.image.get());
        imageOverlay.setGrid(grid == null ? 0 : grid.rows(), grid == null ? 0 : grid.cols());
        gridToggle.setDisable(grid == null);
    }

    private void showSteps() {
        List<AskViewModel.TokenStep> steps = List.copyOf(vm.steps);
        double[] x = steps.stream().mapToDouble(AskViewModel.TokenStep::index).toArray();
        double[] y = steps.stream().mapToDouble(AskViewModel.TokenStep::millis).toArray();
        List<String> labels = steps.stream().map(s -> "“" + s.token() + "”").toList();
        tokenChart.setSeries(steps.isEmpty() ? List.of()
                : List.of(new LineChartView.Series("time per token", x, y, labels)));
    }

    @FXML
    private void onAsk() {
        if (!vm.askDisabled.get()) {
            vm.ask();
        }
    }

    @FXML
    private void onStop() {
        vm.stop();
    }

    @FXML
    private void onChooseImage() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Choose an image");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Images", "*.png", "*.jpg", "*.jpeg",
                "*.bmp", "*.gif"));
        File file = chooser.showOpenDialog(imageOverlay.getScene().getWindow());
        if (file != null) {
            vm.setImage(file.toPath());
            vm.expected.set("");
        }
    }
}
