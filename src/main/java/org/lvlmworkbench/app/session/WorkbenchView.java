package org.lvlmworkbench.app.session;

import java.util.Map;
import javafx.scene.Node;
import javafx.scene.input.KeyCombination;

/**
 * One screen of the workbench as the shell's navigator lists it. Each view lives in its own package
 * (FXML view, view-model, controller), takes the shared {@link ModelSession} in its constructor and
 * registers with one line in the shell's list of views.
 */
public interface WorkbenchView {

    /** The name in the navigator, e.g. "Model". */
    String title();

    /** The view's root node, made once and shown whenever the view is selected. */
    Node root();

    /** Keyboard shortcuts the view offers in the whole window (e.g. undo of a shared plan); none by default. */
    default Map<KeyCombination, Runnable> accelerators() {
        return Map.of();
    }
}
