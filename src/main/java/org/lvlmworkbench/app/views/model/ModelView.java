package org.lvlmworkbench.app.views.model;

import javafx.scene.Node;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.Fxml;

/** The model card: the network's parts and settings, parameters per component, and a map of its linear layers. */
public final class ModelView implements WorkbenchView {

    private final Node root;

    public ModelView(ModelSession session) {
        root = Fxml.load(ModelView.class, "model.fxml", new ModelController(new ModelViewModel(session)));
    }

    @Override
    public String title() {
        return "Model";
    }

    @Override
    public Node root() {
        return root;
    }
}
