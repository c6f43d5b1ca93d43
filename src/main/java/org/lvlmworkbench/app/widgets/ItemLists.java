package org.lvlmworkbench.app.widgets;

import java.util.function.Consumer;
import java.util.function.Function;
import javafx.beans.property.ObjectProperty;
import javafx.collections.ObservableList;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SelectionModel;
import javafx.scene.control.Tooltip;

/** How the views list their items: one line per item, and the selection kept in step with the view-model's. */
public final class ItemLists {

    private ItemLists() {
    }

    /**
     * Lists {@code items} in {@code list}, each as {@code line} of it (which its tooltip shows whole),
     * with the list's selection and {@code selected} kept in step.
     */
    public static <T> void bind(ListView<T> list, ObservableList<T> items, Function<T, String> line,
            ObjectProperty<T> selected) {
        list.setItems(items);
        showOneLineEach(list, line, line);
        keepSelectionInStep(list.getSelectionModel(), selected);
    }

    /** Shows each item of {@code list} as {@code line} of it, with {@code tooltip} of it as its tooltip. */
    public static <T> void showOneLineEach(ListView<T> list, Function<T, String> line, Function<T, String> tooltip) {
        list.setCellFactory(l -> new ListCell<>() {
            {
                // Cells take the list's width and cut long lines short, instead of a sideways scroll bar.
                setPrefWidth(0);
            }

            @Override
            protected void updateItem(T item, boolean empty) {
                super.updateItem(item, empty);
                setText(empty || item == null ? null : line.apply(item));
                setTooltip(empty || item == null ? null : new Tooltip(tooltip.apply(item)));
            }
        });
    }

    /**
     * Picking a row (of a list or a table) sets {@code selected}, and setting {@code selected}, e.g. from
     * a click on a chart, picks its row.
     */
    public static <T> void keepSelectionInStep(SelectionModel<T> rows, ObjectProperty<T> selected) {
        keepSelectionInStep(rows, selected, item -> {
        });
    }

    /** As {@link #keepSelectionInStep(SelectionModel, ObjectProperty)}; {@code picked} hears of each row picked for {@code selected}. */
    public static <T> void keepSelectionInStep(SelectionModel<T> rows, ObjectProperty<T> selected, Consumer<T> picked) {
        rows.selectedItemProperty().addListener((obs, old, item) -> {
            if (item != null && item != selected.get()) {
                selected.set(item);
            }
        });
        selected.addListener((obs, old, item) -> {
            if (item != null && rows.getSelectedItem() != item) {
                rows.select(item);
                picked.accept(item);
            }
        });
    }
}
