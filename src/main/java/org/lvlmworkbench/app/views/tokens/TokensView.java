package org.lvlmworkbench.app.views.tokens;

import java.nio.file.Path;
import javafx.scene.Node;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.Fxml;
import org.lvlmworkbench.core.analysis.ResultCache;

/** Visual tokens: which image patches the answer (or any text position) attends to, layer by layer. */
public final class TokensView implements WorkbenchView {

    private final Node root;

    /**
     * @param evalFile    the evaluation file the probe-set bar offers first
     * @param compression the plan the pruning controls add to
     */
    public TokensView(ModelSession session, Path evalFile, CompressionSession compression) {
        root = Fxml.load(TokensView.class, "tokens.fxml", new TokensController(
                new TokensViewModel(session, evalFile, ResultCache.standard(), compression)));
    }

    @Override
    public String title() {
        return "Visual tokens";
    }

    @Override
    public Node root() {
        return root;
    }
}
