package org.lvlmworkbench.app.views.evolution;

import java.nio.file.Path;
import javafx.scene.Node;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.Fxml;
import org.lvlmworkbench.core.analysis.ResultCache;

/** Knowledge evolution: where in the decoder each answer forms, item by item and over the probe set. */
public final class EvolutionView implements WorkbenchView {

    private final Node root;

    /** @param evalFile the evaluation file the probe-set bar offers first */
    public EvolutionView(ModelSession session, Path evalFile) {
        root = Fxml.load(EvolutionView.class, "evolution.fxml",
                new EvolutionController(new EvolutionViewModel(session, evalFile, ResultCache.standard())));
    }

    @Override
    public String title() {
        return "Knowledge evolution";
    }

    @Override
    public Node root() {
        return root;
    }
}
