package org.lvlmworkbench.app;

import java.io.File;
import java.nio.file.Path;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressIndicator;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.image.ImageView;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import org.lvlmworkbench.core.eval.EvalItem;

/** Binds the FXML controls to the view-model; holds no state of its own. */
public final class WorkbenchController {

    private final WorkbenchViewModel vm;
    private final Stage stage;

    @FXML private Label modelName;
    @FXML private Label modelSummary;
    @FXML private TableView<WorkbenchViewModel.ComponentRow> componentTable;
    @FXML private TableColumn<WorkbenchViewModel.ComponentRow, String> componentColumn;
    @FXML private TableColumn<WorkbenchViewModel.ComponentRow, Long> parametersColumn;
    @FXML private TableColumn<WorkbenchViewModel.ComponentRow, String> dtypeColumn;
    @FXML private ListView<EvalItem> exampleList;
    @FXML private ImageView imageView;
    @FXML private Label imageCaption;
    @FXML private TextField promptField;
    @FXML private Button askButton;
    @FXML private Button stopButton;
    @FXML private Label answerLabel;
    @FXML private Label expectedLabel;
    @FXML private Label timingLabel;
    @FXML private Label statusLabel;
    @FXML private ProgressIndicator busyIndicator;

    WorkbenchController(WorkbenchViewModel vm, Stage stage) {
        this.vm = vm;
        this.stage = stage;
    }

    @FXML
    private void initialize() {
        modelName.textProperty().bind(vm.modelName);
        modelSummary.textProperty().bind(vm.modelSummary);
        componentColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().name()));
        parametersColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().parameters()));
        parametersColumn.setCellFactory(col -> new javafx.scene.control.TableCell<>() {
            @Override
            protected void updateItem(Long value, boolean empty) {
                super.updateItem(value, empty);
                setText(empty || value == null ? null : String.format("%,d", value));
            }
        });
        dtypeColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().dtype()));
        componentTable.setItems(vm.components);

        exampleList.setItems(vm.examples);
        exampleList.setCellFactory(list -> new ListCell<>() {
            @Override
            protected void updateItem(EvalItem item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : item.prompt() + "  → " + item.answer());
                setTooltip(empty || item == null ? null : new javafx.scene.control.Tooltip(
                        item.type() + ": " + item.prompt() + " → " + item.answer()));
            }
        });
        exampleList.getSelectionModel().selectedItemProperty().addListener((obs, old, item) -> {
            if (item != null) {
                vm.selectExample(item);
            }
        });

        imageView.imageProperty().bind(Bindings.createObjectBinding(
                () -> vm.image.get() == null ? null : ImageConversion.toFxImage(vm.image.get(), 6), vm.image));
        imageCaption.textProperty().bind(Bindings.createStringBinding(() -> vm.image.get() == null
                || vm.imagePath.get() == null ? "no image"
                : vm.imagePath.get().getFileName() + "  ·  " + vm.image.get().width() + "×" + vm.image.get().height(),
                vm.image, vm.imagePath));
        promptField.textProperty().bindBidirectional(vm.prompt);
        askButton.disableProperty().bind(vm.busy.or(vm.modelReady.not()).or(vm.prompt.isEmpty()));
        stopButton.visibleProperty().bind(vm.busy);
        stopButton.managedProperty().bind(vm.busy);
        answerLabel.textProperty().bind(vm.answer);
        expectedLabel.textProperty().bind(Bindings.createStringBinding(
                () -> vm.expected.get().isEmpty() ? "" : "expected: " + vm.expected.get(), vm.expected));
        timingLabel.textProperty().bind(vm.timing);
        statusLabel.textProperty().bind(vm.status);
        busyIndicator.visibleProperty().bind(vm.busy);
        busyIndicator.managedProperty().bind(vm.busy);
    }

    @FXML
    private void onAsk() {
        vm.expected.set(vm.examples.stream()
                .filter(e -> e.prompt().equals(vm.prompt.get()) && e.image() != null && e.image().equals(vm.imagePath.get()))
                .map(EvalItem::answer).findFirst().orElse(""));
        vm.ask();
    }

    @FXML
    private void onStop() {
        vm.cancel();
    }

    @FXML
    private void onOpenModel() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Open a Hugging Face model folder");
        File dir = chooser.showDialog(stage);
        if (dir != null) {
            vm.openModel(dir.toPath());
        }
    }

    @FXML
    private void onChooseImage() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Choose an image");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("Images", "*.png", "*.jpg", "*.jpeg",
                "*.bmp", "*.gif"));
        File file = chooser.showOpenDialog(stage);
        if (file != null) {
            vm.setImage(Path.of(file.getPath()));
            vm.expected.set("");
        }
    }
}
