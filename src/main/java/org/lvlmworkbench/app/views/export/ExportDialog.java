package org.lvlmworkbench.app.views.export;

import java.nio.file.Path;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Modality;
import javafx.stage.Stage;
import javafx.stage.Window;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.widgets.Fxml;

/**
 * Export…: writes the current plan's compressed model as a Hugging Face folder, with its report. A
 * window of its own over the workbench; closing it while an export runs is refused (Cancel first).
 */
public final class ExportDialog {

    private final Stage stage = new Stage();
    private final ExportViewModel vm;

    public ExportDialog(Window owner, CompressionSession session) {
        vm = new ExportViewModel(session);
        Path model = session.modelSession().card() == null ? null : session.modelSession().card().folder();
        if (model != null && model.toAbsolutePath().getParent() != null) {
            vm.folder.set(model.toAbsolutePath().getParent().resolve(model.getFileName() + "-compressed").toString());
        }
        Parent root = Fxml.load(ExportDialog.class, "export.fxml", new ExportController(vm, stage::close));
        Scene scene = new Scene(root);
        if (owner != null && owner.getScene() != null) {
            scene.getStylesheets().setAll(owner.getScene().getStylesheets());
        }
        stage.setScene(scene);
        stage.setTitle("Export the compressed model");
        stage.initModality(Modality.WINDOW_MODAL);
        if (owner != null) {
            stage.initOwner(owner);
        }
        stage.setOnCloseRequest(e -> {
            if (vm.runningProperty().get()) {
                e.consume();
            }
        });
    }

    public void show() {
        stage.show();
    }

    /** For tests. */
    public ExportViewModel viewModel() {
        return vm;
    }

    public Stage stage() {
        return stage;
    }
}
