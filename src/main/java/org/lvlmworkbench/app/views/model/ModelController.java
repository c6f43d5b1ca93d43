package org.lvlmworkbench.app.views.model;

import java.util.Locale;
import java.util.function.Function;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Label;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.Priority;
import javafx.scene.layout.VBox;
import org.lvlmworkbench.app.widgets.ColorMap;
import org.lvlmworkbench.app.widgets.HeatmapView;
import org.lvlmworkbench.core.model.ModelCard;

/** Binds the Model view's controls to its view-model; holds no state of its own. */
public final class ModelController {

    private final ModelViewModel vm;

    @FXML private Label titleLabel;
    @FXML private Label summaryLabel;
    @FXML private TableView<ModelViewModel.ComponentRow> componentTable;
    @FXML private TableColumn<ModelViewModel.ComponentRow, String> componentColumn;
    @FXML private TableColumn<ModelViewModel.ComponentRow, Long> parametersColumn;
    @FXML private TableColumn<ModelViewModel.ComponentRow, Double> shareColumn;
    @FXML private TableColumn<ModelViewModel.ComponentRow, String> dtypeColumn;
    @FXML private HeatmapView linearMap;
    @FXML private Label linearDetail;
    @FXML private VBox sectionCards;

    ModelController(ModelViewModel vm) {
        this.vm = vm;
    }

    @FXML
    private void initialize() {
        titleLabel.textProperty().bind(vm.title);
        summaryLabel.textProperty().bind(vm.summary);
        componentColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().name()));
        parametersColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().parameters()));
        parametersColumn.setCellFactory(col -> formatted(v -> String.format(Locale.ROOT, "%,d", v)));
        shareColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().share()));
        shareColumn.setCellFactory(col -> formatted(v -> String.format(Locale.ROOT, "%.1f %%", v * 100)));
        dtypeColumn.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().dtype()));
        componentTable.setItems(vm.components);
        // Exactly as tall as its rows: no empty row below the last component, no scroll bar.
        componentTable.prefHeightProperty().bind(Bindings.size(vm.components).multiply(componentTable.getFixedCellSize())
                .add(30));
        componentTable.minHeightProperty().bind(componentTable.prefHeightProperty());

        linearMap.setColorMap(ColorMap.VIRIDIS);
        linearMap.setValueLabel("", "parameters");
        linearMap.setOnCellClicked(vm::selectLinear);
        showLinearMaps(vm.linearMaps.get());
        vm.linearMaps.addListener((obs, old, grid) -> showLinearMaps(grid));
        linearDetail.textProperty().bind(vm.linearDetail);

        showSections();
        vm.sections.addListener((ListChangeListener<ModelCard.Section>) change -> showSections());
    }

    private void showLinearMaps(LinearMapGrid grid) {
        linearMap.clearSelection();
        linearMap.setData(grid.parameters(), grid.rows(), grid.columns());
    }

    /** A card per section: its name, then its facts as a two-column grid. */
    private void showSections() {
        sectionCards.getChildren().clear();
        for (ModelCard.Section section : vm.sections) {
            VBox card = new VBox(6);
            card.getStyleClass().add("fact-card");
            Label name = new Label(section.name());
            name.getStyleClass().add("section-title");
            GridPane facts = new GridPane();
            facts.setHgap(12);
            facts.setVgap(3);
            ColumnConstraints labels = new ColumnConstraints();
            labels.setMinWidth(120);
            ColumnConstraints values = new ColumnConstraints();
            values.setHgrow(Priority.ALWAYS);
            facts.getColumnConstraints().addAll(labels, values);
            int row = 0;
            for (ModelCard.Fact fact : section.facts()) {
                Label label = new Label(fact.label());
                label.getStyleClass().add("fact-label");
                Label value = new Label(fact.value());
                value.getStyleClass().add("fact-value");
                value.setWrapText(true);
                facts.addRow(row++, label, value);
            }
            card.getChildren().addAll(name, facts);
            sectionCards.getChildren().add(card);
        }
    }

    private static <T> TableCell<ModelViewModel.ComponentRow, T> formatted(Function<T, String> format) {
        return new TableCell<>() {
            @Override
            protected void updateItem(T value, boolean empty) {
                super.updateItem(value, empty);
                setText(empty || value == null ? null : format.apply(value));
            }
        };
    }
}
