package org.lvlmworkbench.app.widgets;

import java.util.List;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.FlowPane;

/**
 * A sequence's tokens as a row of toggle chips, one selected at a time: how a view lets the user
 * pick a position (e.g. the query whose attention it shows). {@link #selectedIndexProperty()} is the
 * chosen chip's index, -1 for none; setting it selects the chip.
 */
public final class TokenStrip extends FlowPane {

    /** One chip: its text, its tooltip, and whether it stands out (the answer's position). */
    public record Chip(String text, String tooltip, boolean emphasised) {
    }

    private final ToggleGroup group = new ToggleGroup();
    private final IntegerProperty selectedIndex = new SimpleIntegerProperty(this, "selectedIndex", -1);
    private boolean updating;

    public TokenStrip() {
        getStyleClass().add("token-strip");
        setHgap(4);
        setVgap(4);
        group.selectedToggleProperty().addListener((obs, old, toggle) -> {
            if (updating) {
                return;
            }
            if (toggle == null) {
                // A chip is a choice, not an on/off switch: clicking the selected one keeps it.
                if (old != null) {
                    group.selectToggle(old);
                }
                return;
            }
            selectedIndex.set(group.getToggles().indexOf(toggle));
        });
        selectedIndex.addListener((obs, old, index) -> select(index.intValue()));
    }

    /** Replaces the chips and selects {@code selected} (-1 for none). */
    public void setChips(List<Chip> chips, int selected) {
        updating = true;
        try {
            group.getToggles().clear();
            getChildren().clear();
            for (Chip chip : chips) {
                ToggleButton b = new ToggleButton(chip.text().isBlank() ? "␣" : chip.text());
                b.getStyleClass().add("token-chip");
                if (chip.emphasised()) {
                    b.getStyleClass().add("token-chip-emphasised");
                }
                if (!chip.tooltip().isEmpty()) {
                    b.setTooltip(new Tooltip(chip.tooltip()));
                }
                b.setToggleGroup(group);
                getChildren().add(b);
            }
        } finally {
            updating = false;
        }
        selectedIndex.set(selected);
        select(selected);
    }

    /** The chosen chip's index, -1 for none. */
    public IntegerProperty selectedIndexProperty() {
        return selectedIndex;
    }

    private void select(int index) {
        updating = true;
        try {
            group.selectToggle(index >= 0 && index < group.getToggles().size() ? group.getToggles().get(index) : null);
        } finally {
            updating = false;
        }
    }
}
