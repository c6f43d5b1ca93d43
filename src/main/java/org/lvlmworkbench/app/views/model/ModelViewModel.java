package org.lvlmworkbench.app.views.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.lvlmworkbench.app.session.ModelSession;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.ModelCard;

/**
 * What the Model view shows, as observable state: the model card's headline, its sections (each
 * part of the network, the compute paths, the checkpoint's files), parameters per component and
 * the grid of linear maps. Follows the session: a newly opened model replaces everything.
 */
public final class ModelViewModel {

    /** One line of the component table; {@code share} of all parameters in [0, 1]. */
    public record ComponentRow(String name, long parameters, double share, String dtype) {
    }

    static final String PICK_A_CELL = "Click a cell to see the map's checkpoint key and shape.";

    public final StringProperty title = new SimpleStringProperty("no model");
    public final StringProperty summary = new SimpleStringProperty("Open a model folder to see its card.");
    public final ObservableList<ModelCard.Section> sections = FXCollections.observableArrayList();
    public final ObservableList<ComponentRow> components = FXCollections.observableArrayList();
    public final ObjectProperty<LinearMapGrid> linearMaps = new SimpleObjectProperty<>(LinearMapGrid.EMPTY);
    public final StringProperty linearDetail = new SimpleStringProperty(PICK_A_CELL);

    private final ModelSession session;

    public ModelViewModel(ModelSession session) {
        this.session = session;
        session.addModelListener(this::show);
        if (session.model() != null) {
            show(session.model());
        }
    }

    /** Selects the linear map at {@code (row, col)} of {@link #linearMaps}. */
    public void selectLinear(int row, int col) {
        linearDetail.set(linearMaps.get().detail(row, col));
    }

    private void show(LoadedModel m) {
        ModelCard card = session.card();
        title.set(card.folder().getFileName().toString());
        String images = card.fact("vision tower", "tokens per image");
        summary.set(String.format(Locale.ROOT, "%s%n%s decoder layers × %s wide · vocabulary %s%s%n%,d parameters · keys: %s",
                card.architecture(), card.fact("text decoder", "layers"), card.fact("text decoder", "width"),
                card.fact("text decoder", "vocabulary"), images == null ? "" : " · " + images + " image tokens",
                card.totalParameters(), card.keyLayout()));
        List<ModelCard.Section> all = new ArrayList<>(card.sections());
        all.add(files(card));
        sections.setAll(all);
        long total = Math.max(1, card.totalParameters());
        components.setAll(card.components().stream()
                .map(c -> new ComponentRow(c.name(), c.parameters(), (double) c.parameters() / total, c.storedDtype()))
                .toList());
        linearMaps.set(LinearMapGrid.of(m.model().linears()));
        linearDetail.set(PICK_A_CELL);
    }

    /** The card's facts about the folder that belong to no part of the network. */
    private static ModelCard.Section files(ModelCard card) {
        List<ModelCard.Fact> facts = new ArrayList<>();
        facts.add(new ModelCard.Fact("folder", card.folder().toAbsolutePath().normalize().toString()));
        facts.add(new ModelCard.Fact("model type", card.modelType()));
        facts.add(new ModelCard.Fact("chat template", card.chatTemplate() == null ? "none" : card.chatTemplate()));
        facts.add(new ModelCard.Fact("end-of-sequence ids", card.eosTokenIds().toString()));
        facts.add(new ModelCard.Fact("hook points", String.format(Locale.ROOT, "%,d", card.hookPointCount())));
        return new ModelCard.Section("checkpoint", facts);
    }
}
