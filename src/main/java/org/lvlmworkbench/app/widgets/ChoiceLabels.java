package org.lvlmworkbench.app.widgets;

import java.util.function.Function;
import javafx.util.StringConverter;

/** How choice boxes show their values: a converter that only ever turns a value into text. */
public final class ChoiceLabels {

    private ChoiceLabels() {
    }

    /** Shows each value as {@code text.apply(value)}, null as "". */
    public static <T> StringConverter<T> of(Function<T, String> text) {
        return new StringConverter<>() {
            @Override
            public String toString(T value) {
                return value == null ? "" : text.apply(value);
            }

            @Override
            public T fromString(String string) {
                throw new UnsupportedOperationException("a choice is picked, not typed: '" + string + "'");
            }
        };
    }
}
