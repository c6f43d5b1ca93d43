package org.lvlmworkbench.app.widgets;

import java.io.File;
import java.nio.file.Path;
import javafx.beans.property.ObjectProperty;
import javafx.beans.value.ObservableBooleanValue;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ChoiceBox;
import javafx.scene.control.Label;
import javafx.scene.control.Spinner;
import javafx.scene.control.SpinnerValueFactory;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;

/**
 * The compact bar at the top of an analysis view: where the probe items come from (an evaluation file
 * and how many of its questions, or an image folder, a prompt and how many images), the view's own
 * settings ({@link #getExtras()}, filled from FXML), and the Run button. {@link #bind} ties it to a
 * view-model: the {@link ProbeSource} it edits, when Run is disabled (busy, or no model) and what Run does.
 */
public final class ProbeSetBar extends HBox {

    private final ChoiceBox<ProbeSource.Kind> kindChoice = new ChoiceBox<>();
    private final Button fileButton = new Button();
    private final Button folderButton = new Button();
    private final TextField promptField = new TextField();
    private final Spinner<Integer> countSpinner = new Spinner<>();
    private final HBox extras = new HBox(10);
    private final Button run = new Button("Run");
    private ObjectProperty<Integer> boundCount;

    public ProbeSetBar() {
        getStyleClass().add("probe-set-bar");
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(8);
        Label title = new Label("Probes");
        title.getStyleClass().add("field-label");
        kindChoice.getItems().setAll(ProbeSource.Kind.values());
        kindChoice.setConverter(ChoiceLabels.of(ProbeSource.Kind::label));
        fileButton.getStyleClass().add("source-button");
        folderButton.getStyleClass().add("source-button");
        promptField.setPromptText("prompt for every image");
        promptField.setPrefColumnCount(14);
        countSpinner.setEditable(true);
        countSpinner.setPrefWidth(84);
        countSpinner.setValueFactory(new SpinnerValueFactory.IntegerSpinnerValueFactory(1, ProbeSource.MAX_COUNT, 12));
        Label items = new Label("items");
        items.getStyleClass().add("caption");
        extras.setAlignment(Pos.CENTER_LEFT);
        extras.getStyleClass().add("probe-set-extras");
        Region gap = new Region();
        HBox.setHgrow(gap, Priority.ALWAYS);
        run.setId("runButton");
        run.getStyleClass().add("accent");
        run.setMinWidth(Region.USE_PREF_SIZE);
        getChildren().addAll(title, kindChoice, fileButton, folderButton, promptField, countSpinner, items, extras, gap,
                run);
    }

    /**
     * Edits {@code source} from now on (once per bar); Run is disabled while {@code runDisabled} holds
     * and otherwise calls {@code onRun}.
     */
    public void bind(ProbeSource source, ObservableBooleanValue runDisabled, Runnable onRun) {
        if (boundCount != null) {
            throw new IllegalStateException("the probe-set bar is already bound to a source");
        }
        kindChoice.valueProperty().bindBidirectional(source.kind);
        promptField.textProperty().bindBidirectional(source.prompt);
        boundCount = source.count.asObject();
        countSpinner.getValueFactory().valueProperty().bindBidirectional(boundCount);
        fileButton.visibleProperty().bind(source.kind.isEqualTo(ProbeSource.Kind.EVAL_FILE));
        fileButton.managedProperty().bind(fileButton.visibleProperty());
        for (Node n : new Node[] {folderButton, promptField}) {
            n.visibleProperty().bind(source.kind.isEqualTo(ProbeSource.Kind.IMAGE_FOLDER));
            n.managedProperty().bind(n.visibleProperty());
        }
        showPath(fileButton, source.evalFile.get(), "Choose file…");
        source.evalFile.addListener((obs, old, file) -> showPath(fileButton, file, "Choose file…"));
        showPath(folderButton, source.imageFolder.get(), "Choose folder…");
        source.imageFolder.addListener((obs, old, dir) -> showPath(folderButton, dir, "Choose folder…"));
        fileButton.setOnAction(e -> {
            FileChooser chooser = new FileChooser();
            chooser.setTitle("Evaluation file (JSONL: image, prompt, answer)");
            chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("JSONL", "*.jsonl", "*.json"));
            Path current = source.evalFile.get();
            if (current != null && current.getParent() != null) {
                chooser.setInitialDirectory(current.getParent().toFile());
            }
            File file = chooser.showOpenDialog(getScene().getWindow());
            if (file != null) {
                source.evalFile.set(file.toPath());
            }
        });
        folderButton.setOnAction(e -> {
            DirectoryChooser chooser = new DirectoryChooser();
            chooser.setTitle("A folder of images");
            File dir = chooser.showDialog(getScene().getWindow());
            if (dir != null) {
                source.imageFolder.set(dir.toPath());
            }
        });
        run.disableProperty().bind(runDisabled);
        // Checked again when fired, so that Run never starts a job while disabled, however it was fired.
        run.setOnAction(e -> {
            if (!runDisabled.get()) {
                onRun.run();
            }
        });
    }

    /** The view's own settings, shown between the source and Run. */
    public ObservableList<Node> getExtras() {
        return extras.getChildren();
    }

    private static void showPath(Button button, Path path, String none) {
        button.setText(path == null ? none : path.getFileName().toString());
        button.setTooltip(new Tooltip(path == null ? none : path.toAbsolutePath().normalize().toString()));
    }
}
