package org.lvlmworkbench.app.widgets;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import javafx.fxml.FXMLLoader;
import javafx.scene.Parent;

/** Loads a view's FXML file with a controller the caller made (views construct theirs with a view-model). */
public final class Fxml {

    private Fxml() {
    }

    /** Loads {@code name} beside {@code owner}'s class file, handing {@code controller} to its {@code fx:controller}. */
    public static Parent load(Class<?> owner, String name, Object controller) {
        URL url = owner.getResource(name);
        if (url == null) {
            throw new IllegalStateException("no FXML file " + name + " beside " + owner.getName());
        }
        FXMLLoader loader = new FXMLLoader(url);
        loader.setControllerFactory(type -> {
            if (!type.isInstance(controller)) {
                throw new IllegalStateException(name + " asks for a " + type.getName() + " controller, got "
                        + controller.getClass().getName());
            }
            return controller;
        });
        try {
            return loader.load();
        } catch (IOException e) {
            throw new UncheckedIOException(url + ": " + e.getMessage(), e);
        }
    }
}
