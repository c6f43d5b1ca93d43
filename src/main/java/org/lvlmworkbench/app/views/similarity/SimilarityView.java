package org.lvlmworkbench.app.views.similarity;

import java.nio.file.Path;
import javafx.scene.Node;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.Fxml;
import org.lvlmworkbench.core.analysis.ResultCache;

/** Layer similarity: CKA between every pair of layers of each tower, and each decoder block's influence. */
public final class SimilarityView implements WorkbenchView {

    private final Node root;

    /**
     * @param evalFile    the evaluation file the probe-set bar offers first
     * @param compression the plan the merge and drop controls edit
     */
    public SimilarityView(ModelSession session, Path evalFile, CompressionSession compression) {
        root = Fxml.load(SimilarityView.class, "similarity.fxml", new SimilarityController(
                new SimilarityViewModel(session, evalFile, ResultCache.standard(), compression)));
    }

    @Override
    public String title() {
        return "Layer similarity";
    }

    @Override
    public Node root() {
        return root;
    }
}
