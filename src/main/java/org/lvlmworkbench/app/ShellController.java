package org.lvlmworkbench.app;

import java.io.File;
import java.util.List;
import javafx.fxml.FXML;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.layout.StackPane;
import javafx.stage.DirectoryChooser;
import javafx.stage.Stage;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.StatusStrip;

/** The window around the views: top bar, navigator, the selected view, and the session's status strip. */
final class ShellController {

    private final ModelSession session;
    private final List<WorkbenchView> views;
    private final Stage stage;

    @FXML private Label modelName;
    @FXML private ListView<WorkbenchView> navigator;
    @FXML private StackPane viewHost;
    @FXML private StatusStrip statusStrip;

    ShellController(ModelSession session, List<WorkbenchView> views, Stage stage) {
        this.session = session;
        this.views = List.copyOf(views);
        this.stage = stage;
    }

    @FXML
    private void initialize() {
        modelName.textProperty().bind(session.modelNameProperty());
        navigator.getItems().setAll(views);
        navigator.setCellFactory(list -> new ListCell<>() {
            @Override
            protected void updateItem(WorkbenchView view, boolean empty) {
                super.updateItem(view, empty);
                setText(empty || view == null ? null : view.title());
            }
        });
        navigator.getSelectionModel().selectedItemProperty().addListener((obs, old, view) -> {
            if (view != null) {
                viewHost.getChildren().setAll(view.root());
            }
        });
        navigator.getSelectionModel().selectFirst();

        statusStrip.statusProperty().bind(session.statusProperty());
        statusStrip.jobTitleProperty().bind(session.jobTitleProperty());
        statusStrip.progressProperty().bind(session.progressProperty());
        statusStrip.busyProperty().bind(session.busyProperty());
        statusStrip.setOnCancel(session::cancel);
    }

    @FXML
    private void onOpenModel() {
        DirectoryChooser chooser = new DirectoryChooser();
        chooser.setTitle("Open a Hugging Face model folder");
        File dir = chooser.showDialog(stage);
        if (dir != null) {
            session.openModel(dir.toPath());
        }
    }
}
