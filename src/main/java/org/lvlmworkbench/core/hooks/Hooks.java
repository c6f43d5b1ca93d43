package org.lvlmworkbench.core.hooks;

import ai.djl.ndarray.NDArray;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Predicate;

/**
 * The hooks attached to one forward pass or generation: replacements run first, in the order
 * added, then captures see the final value. A model calls {@link #at} at every hook point.
 */
public final class Hooks {

    /** Shared instance with nothing attached; forward passes without hooks pay one branch per point. */
    public static final Hooks NONE = new Hooks();

    private record Replacement(Predicate<String> points, HookFunction function) {
    }

    private record Capture(Predicate<String> points, ActivationCache cache) {
    }

    private final List<Replacement> replacements = new ArrayList<>();
    private final List<Capture> captures = new ArrayList<>();

    public static Predicate<String> named(String... points) {
        List<String> list = Arrays.asList(points);
        return list::contains;
    }

    /** Captures every point whose name matches into {@code cache}; filter to keep memory bounded. */
    public Hooks capture(Predicate<String> points, ActivationCache cache) {
        checkMutable();
        captures.add(new Capture(points, cache));
        return this;
    }

    public Hooks replace(Predicate<String> points, HookFunction function) {
        checkMutable();
        replacements.add(new Replacement(points, function));
        return this;
    }

    public Hooks replace(String point, HookFunction function) {
        return replace(point::equals, function);
    }

    public boolean isEmpty() {
        return replacements.isEmpty() && captures.isEmpty();
    }

    /** Whether anything listens at {@code point}; lets a model skip work nobody will see. */
    public boolean observes(String point) {
        for (Capture c : captures) {
            if (c.points.test(point)) {
                return true;
            }
        }
        for (Replacement r : replacements) {
            if (r.points.test(point)) {
                return true;
            }
        }
        return false;
    }

    public NDArray at(String point, NDArray activation) {
        if (isEmpty()) {
            return activation;
        }
        NDArray value = activation;
        for (Replacement r : replacements) {
            if (r.points.test(point)) {
                NDArray replaced = r.function.apply(point, value);
                if (!replaced.getShape().equals(value.getShape())) {
                    throw new IllegalStateException("hook at '" + point + "' changed the shape from "
                            + value.getShape() + " to " + replaced.getShape());
                }
                // The pass frees its activations as it goes; a replacement the hook still owns (say, one
                // taken from another run's cache) enters the pass as a copy, so the original lives on.
                value = replaced == value ? value : replaced.duplicate();
            }
        }
        for (Capture c : captures) {
            if (c.points.test(point)) {
                c.cache.store(point, value);
            }
        }
        return value;
    }

    private void checkMutable() {
        if (this == NONE) {
            throw new IllegalStateException("Hooks.NONE is shared; create new Hooks()");
        }
    }
}
