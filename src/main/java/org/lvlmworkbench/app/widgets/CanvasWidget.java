package org.lvlmworkbench.app.widgets;

import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.geometry.Insets;
import javafx.geometry.VPos;
import javafx.scene.SnapshotParameters;
import javafx.scene.canvas.Canvas;
import javafx.scene.canvas.GraphicsContext;
import javafx.scene.control.Alert;
import javafx.scene.control.ContextMenu;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.image.WritableImage;
import javafx.scene.input.MouseButton;
import javafx.scene.input.MouseEvent;
import javafx.scene.layout.Region;
import javafx.scene.paint.Color;
import javafx.scene.text.Font;
import javafx.scene.text.Text;
import javafx.scene.text.TextAlignment;
import javafx.stage.FileChooser;

/**
 * A canvas that fills this region and is redrawn whenever the region is resized or its content
 * changes, with what every plot widget shares: the item under the mouse (a cell, a point: whatever
 * {@link #itemAt} finds) and a read-out of it in a label that follows the mouse (the text is also
 * {@link #readoutProperty()}), a click hook, and a "Save PNG…" context menu that writes exactly what
 * the canvas shows.
 */
public abstract class CanvasWidget extends Region {

    /** The font every widget draws labels with. */
    protected static final Font LABEL_FONT = Font.font("System", 11);
    protected static final Color INK = Color.web("#1f2430");
    protected static final Color MUTED = Color.web("#6b7385");

    private final Canvas canvas = new Canvas();
    /** What changes often over a still picture (a chart's marker lines), redrawn alone by {@link #redrawOverlay()}. */
    private final Canvas overlay = new Canvas();
    private final Label readoutLabel = new Label();
    private final ReadOnlyStringWrapper readout = new ReadOnlyStringWrapper("");
    private final String fileName;
    private double mouseX;
    private double mouseY;
    private int[] hoveredItem;

    /**
     * @param styleClass the widget's own CSS class (beside {@code canvas-widget})
     * @param fileName   what "Save PNG…" proposes
     */
    protected CanvasWidget(String styleClass, String fileName) {
        this.fileName = fileName;
        getStyleClass().addAll("canvas-widget", styleClass);
        readoutLabel.getStyleClass().add("widget-readout");
        readoutLabel.setMouseTransparent(true);
        readoutLabel.setManaged(false);
        readoutLabel.textProperty().bind(readout);
        readoutLabel.visibleProperty().bind(readout.isNotEmpty());
        overlay.setMouseTransparent(true);
        getChildren().addAll(canvas, overlay, readoutLabel);
        setMinSize(120, 80);
        setPrefSize(420, 320);

        canvas.setOnMouseMoved(this::hover);
        canvas.setOnMousePressed(e -> {
            if (e.getButton() == MouseButton.PRIMARY) {
                pressed(e.getX(), e.getY());
            }
        });
        canvas.setOnMouseDragged(e -> {
            hover(e);
            if (e.isPrimaryButtonDown()) {
                dragged(e.getX(), e.getY());
            }
        });
        canvas.setOnMouseReleased(e -> {
            if (e.getButton() == MouseButton.PRIMARY) {
                released(e.getX(), e.getY());
            }
        });
        canvas.setOnMouseExited(e -> {
            readout.set("");
            hoverItem(null);
        });
        canvas.setOnMouseClicked(e -> {
            if (e.getButton() == MouseButton.PRIMARY) {
                clicked(e.getX(), e.getY());
            }
        });
        MenuItem save = new MenuItem("Save PNG…");
        save.setOnAction(e -> chooseAndSave());
        ContextMenu menu = new ContextMenu(save);
        canvas.setOnContextMenuRequested(e -> menu.show(canvas, e.getScreenX(), e.getScreenY()));
    }

    /** Draws the whole widget on a cleared canvas of {@code width × height}. */
    protected abstract void draw(GraphicsContext g, double width, double height);

    /**
     * Draws what lies over the picture on a cleared, transparent layer of {@code width × height}:
     * nothing by default. It is redrawn after every {@link #redraw()}, and alone by
     * {@link #redrawOverlay()}, so something that moves often (a marker that follows a slider) costs a
     * few strokes instead of the whole picture.
     */
    protected void drawOverlay(GraphicsContext g, double width, double height) {
    }

    /**
     * The item at {@code (x, y)} in canvas coordinates as indices, e.g. {@code {row, col}} of a cell or
     * {@code {series, point}} of a point, or null where there is none.
     */
    protected abstract int[] itemAt(double x, double y);

    /** The read-out for an {@link #itemAt item}. */
    protected abstract String describe(int[] item);

    /** A primary click at {@code (x, y)}; nothing by default. */
    protected void clicked(double x, double y) {
    }

    /** The primary button went down at {@code (x, y)}; nothing by default. */
    protected void pressed(double x, double y) {
    }

    /** The mouse moved to {@code (x, y)} with the primary button down; nothing by default. */
    protected void dragged(double x, double y) {
    }

    /** The primary button came up at {@code (x, y)}; nothing by default. */
    protected void released(double x, double y) {
    }

    /** The item under the mouse, to highlight, or null (the widget redraws whenever it changes). */
    protected final int[] hoveredItem() {
        return hoveredItem;
    }

    /** Forgets the item under the mouse, e.g. when the content changes under it; the caller redraws. */
    protected final void clearHoveredItem() {
        hoveredItem = null;
    }

    /** A short muted note in the middle of a {@code w × h} area, e.g. what an empty widget says. */
    protected static void drawNote(GraphicsContext g, double w, double h, String note) {
        g.setFill(MUTED);
        g.setTextAlign(TextAlignment.CENTER);
        g.setTextBaseline(VPos.CENTER);
        g.fillText(note, w / 2, h / 2);
    }

    /** The hover read-out, "" when the mouse is over nothing. */
    public final ReadOnlyStringProperty readoutProperty() {
        return readout.getReadOnlyProperty();
    }

    /** Redraws now; subclasses call it when their content changes. */
    public final void redraw() {
        double w = canvas.getWidth();
        double h = canvas.getHeight();
        if (w < 1 || h < 1) {
            return;
        }
        GraphicsContext g = canvas.getGraphicsContext2D();
        g.setTransform(1, 0, 0, 1, 0, 0);
        g.clearRect(0, 0, w, h);
        g.setFill(Color.WHITE);
        g.fillRect(0, 0, w, h);
        g.setFont(LABEL_FONT);
        draw(g, w, h);
        redrawOverlay();
        if (!readout.get().isEmpty()) {
            readout.set(describeAt(mouseX, mouseY));
        }
    }

    /** Redraws the overlay alone (see {@link #drawOverlay}). */
    public final void redrawOverlay() {
        double w = overlay.getWidth();
        double h = overlay.getHeight();
        if (w < 1 || h < 1) {
            return;
        }
        GraphicsContext g = overlay.getGraphicsContext2D();
        g.setTransform(1, 0, 0, 1, 0, 0);
        g.clearRect(0, 0, w, h);
        g.setFont(LABEL_FONT);
        drawOverlay(g, w, h);
    }

    /** What the canvas shows now, pixel for pixel, the overlay included. */
    public final WritableImage snapshotImage() {
        SnapshotParameters params = new SnapshotParameters();
        params.setFill(Color.WHITE);
        WritableImage picture = canvas.snapshot(params, null);
        params.setFill(Color.TRANSPARENT);
        WritableImage over = overlay.snapshot(params, null);
        Canvas both = new Canvas(picture.getWidth(), picture.getHeight());
        both.getGraphicsContext2D().drawImage(picture, 0, 0);
        both.getGraphicsContext2D().drawImage(over, 0, 0);
        params.setFill(Color.WHITE);
        return both.snapshot(params, null);
    }

    /** Writes {@link #snapshotImage()} to {@code file} as PNG. */
    public final void savePng(Path file) {
        PngExport.write(snapshotImage(), file);
    }

    @Override
    protected void layoutChildren() {
        Insets in = getInsets();
        double w = Math.max(0, snap(getWidth() - in.getLeft() - in.getRight()));
        double h = Math.max(0, snap(getHeight() - in.getTop() - in.getBottom()));
        canvas.relocate(in.getLeft(), in.getTop());
        overlay.relocate(in.getLeft(), in.getTop());
        if (w != canvas.getWidth() || h != canvas.getHeight()) {
            canvas.setWidth(w);
            canvas.setHeight(h);
            overlay.setWidth(w);
            overlay.setHeight(h);
            redraw();
        }
        readoutLabel.autosize();
        placeReadout();
    }

    /** Width of {@code text} in the label font. */
    protected static double textWidth(String text) {
        Text t = new Text(text);
        t.setFont(LABEL_FONT);
        return t.getLayoutBounds().getWidth();
    }

    /** Line height of the label font. */
    protected static double textHeight() {
        Text t = new Text("Ag");
        t.setFont(LABEL_FONT);
        return t.getLayoutBounds().getHeight();
    }

    private static double snap(double v) {
        return Math.floor(v);
    }

    private void hover(MouseEvent e) {
        mouseX = e.getX();
        mouseY = e.getY();
        hoverItem(itemAt(mouseX, mouseY));
        readout.set(describeAt(mouseX, mouseY));
        readoutLabel.autosize();
        placeReadout();
    }

    private void hoverItem(int[] item) {
        if (!Arrays.equals(item, hoveredItem)) {
            hoveredItem = item;
            redraw();
        }
    }

    private String describeAt(double x, double y) {
        int[] item = itemAt(x, y);
        return item == null ? "" : describe(item);
    }

    /** Beside the mouse, flipped to the other side near the right or bottom edge so it stays inside. */
    private void placeReadout() {
        double w = readoutLabel.prefWidth(-1);
        double h = readoutLabel.prefHeight(-1);
        double x = mouseX + 14 + w > getWidth() ? mouseX - 10 - w : mouseX + 14;
        double y = mouseY + 18 + h > getHeight() ? mouseY - 8 - h : mouseY + 18;
        readoutLabel.resizeRelocate(Math.max(0, x) + canvas.getLayoutX(), Math.max(0, y) + canvas.getLayoutY(), w, h);
    }

    private void chooseAndSave() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Save PNG");
        chooser.setInitialFileName(fileName);
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("PNG image", "*.png"));
        File file = chooser.showSaveDialog(getScene().getWindow());
        if (file == null) {
            return;
        }
        try {
            savePng(file.toPath());
        } catch (RuntimeException e) {
            new Alert(Alert.AlertType.ERROR, e.getMessage()).show();
        }
    }
}
