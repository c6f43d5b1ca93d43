package org.lvlmworkbench.app.views.compress;

import java.util.LinkedHashMap;
import java.util.Map;
import javafx.scene.Node;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import org.lvlmworkbench.app.session.CompressionSession;
import org.lvlmworkbench.app.session.WorkbenchView;
import org.lvlmworkbench.app.widgets.Fxml;

/**
 * Compress: the compression plan being built (every choice listed and removable, undo and redo), the
 * compressed model measured against the original as its evaluation runs, and every evaluated plan on
 * a Pareto chart of accuracy against parameters or FLOPs.
 */
public final class CompressView implements WorkbenchView {

    private final Node root;
    private final PlanViewModel vm;
    private final CompressController controller;

    public CompressView(CompressionSession compression) {
        vm = new PlanViewModel(compression);
        controller = new CompressController(vm);
        root = Fxml.load(CompressView.class, "compress.fxml", controller);
        // Shown for the first time: make the workspace, so the plan is there to edit.
        root.sceneProperty().addListener((obs, old, scene) -> {
            if (scene != null) {
                vm.prepare();
            }
        });
        compression.modelSession().addModelListener(m -> {
            if (root.getScene() != null) {
                vm.prepare();
            }
        });
    }

    /** The compression workspace this view edits (the Export dialog writes its plan). */
    public CompressionSession compression() {
        return vm.compression();
    }

    /** For tests: the state behind the controls (what the Open plan… dialog hands a file to). */
    PlanViewModel viewModel() {
        return vm;
    }

    @Override
    public String title() {
        return "Compress";
    }

    @Override
    public Node root() {
        return root;
    }

    /** Undo and redo work from every view, as the plan is shared; saving and opening too. */
    @Override
    public Map<KeyCombination, Runnable> accelerators() {
        Map<KeyCombination, Runnable> keys = new LinkedHashMap<>();
        keys.put(new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN), vm::undo);
        keys.put(new KeyCodeCombination(KeyCode.Z, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN), vm::redo);
        keys.put(new KeyCodeCombination(KeyCode.Y, KeyCombination.SHORTCUT_DOWN), vm::redo);
        keys.put(new KeyCodeCombination(KeyCode.S, KeyCombination.SHORTCUT_DOWN), controller::onSave);
        keys.put(new KeyCodeCombination(KeyCode.O, KeyCombination.SHORTCUT_DOWN), controller::onOpen);
        keys.put(new KeyCodeCombination(KeyCode.E, KeyCombination.SHORTCUT_DOWN), controller::onExport);
        return keys;
    }
}
