package org.lvlmworkbench.app;

import java.nio.file.Path;
import java.util.List;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.views.ask.AskView;
import org.lvlmworkbench.app.views.compress.CompressView;
import org.lvlmworkbench.app.views.evolution.EvolutionView;
import org.lvlmworkbench.app.views.model.ModelView;
import org.lvlmworkbench.app.views.similarity.SimilarityView;
import org.lvlmworkbench.app.views.spectra.SpectraView;
import org.lvlmworkbench.app.views.tokens.TokensView;
import org.lvlmworkbench.core.sample.SampleModel;
import org.lvlmworkbench.core.sample.ShapesEvalSet;

/**
 * The desktop workbench: a navigator of views over one {@link ModelSession}. Opens the model given as
 * the first argument, or the deeper shipped sample ({@link SampleModel#appModel()}); the second argument
 * is the file of example questions (by default the held-out split drawn at the model's image size).
 */
public final class WorkbenchApp extends Application {

    private ModelSession session;

    @Override
    public void start(Stage stage) throws Exception {
        List<String> args = getParameters().getRaw();
        Path model = args.isEmpty() ? SampleModel.appModel() : Path.of(args.get(0));
        Path examples = args.size() > 1 ? Path.of(args.get(1)) : ShapesEvalSet.defaultFileFor(model);
        session = new ModelSession(Platform::runLater);
        // One plan for the open model, which the Compress view shows and the analysis views add to.
        CompressionSession compression = new CompressionSession(session, examples);
        // The navigator lists these in order; a new view is one more line here.
        List<WorkbenchView> views = List.of(
                new ModelView(session),
                new AskView(session, examples),
                new EvolutionView(session, examples),
                new SimilarityView(session, examples, compression),
                new TokensView(session, examples, compression),
                new SpectraView(session, examples, compression),
                new CompressView(compression));
        FXMLLoader loader = new FXMLLoader(WorkbenchApp.class.getResource("shell.fxml"));
        loader.setControllerFactory(type -> new ShellController(session, views, stage));
        Parent root = loader.load();
        Scene scene = new Scene(root, 1280, 800);
        for (WorkbenchView view : views) {
            scene.getAccelerators().putAll(view.accelerators());
        }
        scene.getStylesheets().add(WorkbenchApp.class.getResource("/assets/workbench.css").toExternalForm());
        stage.setTitle("LVLM Workbench");
        stage.setScene(scene);
        stage.show();
        session.openModel(model);
    }

    @Override
    public void stop() {
        if (session != null) {
            session.close();
        }
    }
}
