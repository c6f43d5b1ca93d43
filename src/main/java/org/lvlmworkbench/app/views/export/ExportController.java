package org.lvlmworkbench.app.views.export;

import java.io.File;
import java.nio.file.Path;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.RadioButton;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.stage.DirectoryChooser;

/** Binds the Export dialog's controls to its view-model. */
public final class ExportController {

    private final ExportViewModel vm;
    private final Runnable close;

    @FXML
    private TextField folderField;
    @FXML
    private ChoiceBox<String> dtypeChoice;
    @FXML
    private RadioButton factoredRadio;
    @FXML
    private RadioButton denseRadio;
    @FXML
    private CheckBox reportCheck;
    @FXML
    private CheckBox replaceCheck;
    @FXML
    private Label estimateLabel;
    @FXML
    private ProgressBar progressBar;
    @FXML
    private Label statusLabel;
    @FXML
    private Button exportButton;
    @FXML
    private Button cancelButton;
    @FXML
    private Button closeButton;

    ExportController(ExportViewModel vm, Runnable close) {
        this.vm = vm;
        this.close = close;
    }

    @FXML
    private void initialize() {
        folderField.textProperty().bindBidirectional(vm.folder);
        dtypeChoice.getItems().setAll(ExportViewModel.DTYPES);
        dtypeChoice.valueProperty().bindBidirectional(vm.dtype);
        ToggleGroup kind = new ToggleGroup();
        factoredRadio.setToggleGroup(kind);
        denseRadio.setToggleGroup(kind);
        denseRadio.selectedProperty().bindBidirectional(vm.dense);
        factoredRadio.setSelected(!vm.dense.get());
        reportCheck.selectedProperty().bindBidirectional(vm.report);
        replaceCheck.selectedProperty().bindBidirectional(vm.replace);
        estimateLabel.textProperty().bind(vm.estimateProperty());
        statusLabel.textProperty().bind(vm.statusProperty());
        progressBar.visibleProperty().bind(vm.runningProperty());
        progressBar.progressProperty().bind(vm.progressProperty());
        exportButton.disableProperty().bind(vm.runningProperty());
        cancelButton.disableProperty().bind(vm.runningProperty().not());
        closeButton.disableProperty().bind(vm.runningProperty());
    }

    @FXML
    private void onChoose() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Folder to put the export in");
        File dir = chooser.showDialog(folderField.getScene().getWindow());
        if (dir != null) {
            String name = vm.folder.get() == null || vm.folder.get().isBlank() ? "compressed"
                    : Path.of(vm.folder.get()).getFileName().toString();
            vm.folder.set(dir.toPath().resolve(name).toString());
        }
    }

    @FXML
    private void onExport() {
        vm.export();
    }

    @FXML
    private void onCancel() {
        vm.cancel();
    }

    @FXML
    private void onClose() {
        close.run();
    }
}
