package org.lvlmworkbench.app;

import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/** The desktop workbench. Opens the model given as the first argument, or the shipped sample. */
public final class WorkbenchApp extends Application {

    private WorkbenchViewModel viewModel;

    @Override
    public void start(Stage stage) throws Exception {
        List<String> args = getParameters().getRaw();
        Path model = args.isEmpty() ? SampleModel.defaultModel() : Path.of(args.get(0));
        Path examples = args.size() > 1 ? Path.of(args.get(1)) : ShapesEvalSet.defaultFile();
        viewModel = new WorkbenchViewModel();
        FXMLLoader loader = new FXMLLoader(WorkbenchApp.class.getResource("workbench.fxml"));
        loader.setControllerFactory(type -> new WorkbenchController(viewModel, stage));
        Parent root = loader.load();
        Scene scene = new Scene(root, 1180, 760);
        scene.getStylesheets().add(WorkbenchApp.class.getResource("/assets/workbench.css").toExternalForm());
        stage.setTitle("LVLM Workbench");
        stage.setScene(scene);
        stage.show();
        viewModel.loadExamples(examples);
        viewModel.openModel(model);
    }

    @Override
    public void stop() {
        if (viewModel != null) {
            viewModel.close();
        }
    }
}
