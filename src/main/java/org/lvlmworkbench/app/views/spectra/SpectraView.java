package org.lvlmworkbench.app.views.spectra;

import java.nio.file.Path;
import javafx.scene.Node;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.Fxml;
import org.lvlmworkbench.core.analysis.spectra.SpectraCache;

/** Spectra: the singular values of every linear weight, the ranks read from them, and where truncation costs. */
public final class SpectraView implements WorkbenchView {

    private final Node root;

    /**
     * @param evalFile    the evaluation file the probe-set bar offers first (for calibration)
     * @param compression the plan the low-rank controls edit
     */
    public SpectraView(ModelSession session, Path evalFile, CompressionSession compression) {
        root = Fxml.load(SpectraView.class, "spectra.fxml", new SpectraController(new SpectraViewModel(session,
                evalFile, new SpectraCache(SpectraCache.defaultFolder()), compression)));
    }

    @Override
    public String title() {
        return "Spectra";
    }

    @Override
    public Node root() {
        return root;
    }
}
