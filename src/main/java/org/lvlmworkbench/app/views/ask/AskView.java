package org.lvlmworkbench.app.views.ask;

import java.nio.file.Path;
import javafx.scene.Node;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.Fxml;

/** Question and answer: pick an example or type a question about an image, watch the answer stream in. */
public final class AskView implements WorkbenchView {

    private final Node root;

    /** @param examples a JSONL evaluation file whose questions are offered as examples */
    public AskView(ModelSession session, Path examples) {
        AskViewModel vm = new AskViewModel(session);
        root = Fxml.load(AskView.class, "ask.fxml", new AskController(vm));
        vm.loadExamples(examples);
    }

    @Override
    public String title() {
        return "Ask";
    }

    @Override
    public Node root() {
        return root;
    }
}
