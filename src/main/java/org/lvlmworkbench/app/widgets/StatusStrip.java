package org.lvlmworkbench.app.widgets;

import javafx.beans.property.BooleanProperty;
import javafx.beans.property.DoubleProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.StringProperty;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;

/**
 * The bottom strip of the window: a status line, and while a job runs its title, its progress
 * (a moving bar when the fraction is unknown, i.e. negative) and a Cancel button. It knows no session:
 * the shell binds its properties.
 */
public final class StatusStrip extends HBox {

    private final Label status = new Label();
    private final Label jobTitle = new Label();
    private final ProgressBar bar = new ProgressBar(0);
    private final Button cancel = new Button("Cancel");
    private final BooleanProperty busy = new SimpleBooleanProperty(this, "busy", false);

    public StatusStrip() {
        getStyleClass().add("status-strip");
        setAlignment(Pos.CENTER_LEFT);
        setSpacing(10);
        status.setId("statusLabel");
        status.getStyleClass().add("status-text");
        status.setMaxWidth(Double.MAX_VALUE);
        status.setMinWidth(0);
        HBox.setHgrow(status, Priority.ALWAYS);
        jobTitle.setId("jobTitleLabel");
        jobTitle.getStyleClass().add("job-title");
        bar.setId("jobProgress");
        bar.setPrefWidth(180);
        cancel.setId("cancelButton");
        cancel.getStyleClass().add("cancel-button");
        for (Node n : new Node[] {jobTitle, bar, cancel}) {
            n.visibleProperty().bind(busy);
            n.managedProperty().bind(busy);
        }
        getChildren().addAll(status, jobTitle, bar, cancel);
    }

    public StringProperty statusProperty() {
        return status.textProperty();
    }

    public StringProperty jobTitleProperty() {
        return jobTitle.textProperty();
    }

    /** Fraction done in [0, 1], or negative for "unknown" (an animated bar). */
    public DoubleProperty progressProperty() {
        return bar.progressProperty();
    }

    /** Shows the job title, bar and Cancel button while true. */
    public BooleanProperty busyProperty() {
        return busy;
    }

    public void setOnCancel(Runnable action) {
        cancel.setOnAction(e -> action.run());
    }
}
