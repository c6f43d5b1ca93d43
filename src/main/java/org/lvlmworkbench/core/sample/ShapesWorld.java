package org.lvlmworkbench.core.sample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.lvlmworkbench.core.processing.RgbImage;

/**
 * A seeded synthetic world of small images with one to three shapes, and questions about them with
 * one-word answers. Within an image every shape has its own kind and its own colour, so each
 * question has exactly one right answer. Example {@code i} of a split depends only on the seed,
 * the split and {@code i}, so training can resume mid-stream and splits never overlap.
 */
public final class ShapesWorld {

    public enum Kind { CIRCLE, SQUARE, TRIANGLE, DIAMOND }

    public enum Colour {
        RED(220, 40, 40), GREEN(40, 190, 60), BLUE(50, 90, 230), YELLOW(235, 220, 50), PURPLE(160, 60, 200);

        final int r;
        final int g;
        final int b;

        Colour(int r, int g, int b) {
            this.r = r;
            this.g = g;
            this.b = b;
        }
    }

    /** Question families; the names are what eval reports per type. */
    public enum QuestionType { COLOR, SHAPE, COUNT, HORIZONTAL, VERTICAL, RELATION }

    public enum Split {
        TRAIN(0x5EED_0001L), VALIDATION(0x5EED_0002L), EVALUATION(0x5EED_0003L);

        final long salt;

        Split(long salt) {
            this.salt = salt;
        }
    }

    public record Shape(Kind kind, Colour colour, int cx, int cy, int radius) {
    }

    public record Example(RgbImage image, List<Shape> shapes, QuestionType type, String question, String answer) {
    }

    /** Every word questions and answers use, for the tokenizer. */
    public static final List<String> WORDS = List.of("user", "assistant", ":", "?", "what", "color", "is", "the",
            "shape", "how", "many", "shapes", "are", "there", "on", "left", "or", "right", "at", "top", "bottom",
            "of", "yes", "no", "circle", "square", "triangle", "diamond", "red", "green", "blue", "yellow", "purple",
            "one", "two", "three");

    private static final String[] COUNT_WORDS = {"zero", "one", "two", "three"};

    private final int size;
    private final long seed;

    public ShapesWorld(int size, long seed) {
        if (size < 24) {
            throw new IllegalArgumentException("images must be at least 24 pixels, got " + size);
        }
        this.size = size;
        this.seed = seed;
    }

    public int size() {
        return size;
    }

    public Example example(Split split, long index) {
        Random random = new Random(seed * 0x9E3779B97F4A7C15L ^ split.salt * 31 + index);
        QuestionType type = QuestionType.values()[random.nextInt(QuestionType.values().length)];
        while (true) {
            List<Shape> shapes = scene(random, type == QuestionType.RELATION ? 2 + random.nextInt(2) : 1 + random.nextInt(3));
            if (shapes == null) {
                continue;
            }
            Example e = ask(random, type, shapes);
            if (e != null) {
                return e;
            }
        }
    }

    private List<Shape> scene(Random random, int count) {
        List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
        List<Colour> colours = new ArrayList<>(List.of(Colour.values()));
        List<Shape> shapes = new ArrayList<>();
        int minR = Math.max(4, size / 10);
        int maxR = Math.max(minR + 1, size / 7);
        for (int i = 0; i < count; i++) {
            Kind kind = kinds.remove(random.nextInt(kinds.size()));
            Colour colour = colours.remove(random.nextInt(colours.size()));
            boolean placed = false;
            for (int attempt = 0; attempt < 50 && !placed; attempt++) {
                int r = minR + random.nextInt(maxR - minR + 1);
                int cx = r + 1 + random.nextInt(size - 2 * r - 2);
                int cy = r + 1 + random.nextInt(size - 2 * r - 2);
                boolean free = true;
                for (Shape s : shapes) {
                    int dx = s.cx - cx;
                    int dy = s.cy - cy;
                    int gap = s.radius + r + 3;
                    if (dx * dx + dy * dy < gap * gap) {
                        free = false;
                        break;
                    }
                }
                if (free) {
                    shapes.add(new Shape(kind, colour, cx, cy, r));
                    placed = true;
                }
            }
            if (!placed) {
                return null;
            }
        }
        return shapes;
    }

    /** A question of {@code type} about the scene, or null when the scene makes it ambiguous. */
    private Example ask(Random random, QuestionType type, List<Shape> shapes) {
        Shape s = shapes.get(random.nextInt(shapes.size()));
        String kind = word(s.kind);
        String colour = word(s.colour);
        int margin = size / 8;
        String question;
        String answer;
        switch (type) {
            case COLOR -> {
                question = "what color is the " + kind + "?";
                answer = colour;
            }
            case SHAPE -> {
                question = "what shape is " + colour + "?";
                answer = kind;
            }
            case COUNT -> {
                question = "how many shapes are there?";
                answer = COUNT_WORDS[shapes.size()];
            }
            case HORIZONTAL -> {
                if (Math.abs(2 * s.cx - size) < 2 * margin) {
                    return null;
                }
                question = "is the " + kind + " on the left or right?";
                answer = 2 * s.cx < size ? "left" : "right";
            }
            case VERTICAL -> {
                if (Math.abs(2 * s.cy - size) < 2 * margin) {
                    return null;
                }
                question = "is the " + kind + " at the top or bottom?";
                answer = 2 * s.cy < size ? "top" : "bottom";
            }
            case RELATION -> {
                Shape other = shapes.get(random.nextInt(shapes.size()));
                if (other == s || Math.abs(other.cx - s.cx) < margin) {
                    return null;
                }
                question = "is the " + kind + " left of the " + word(other.kind) + "?";
                answer = s.cx < other.cx ? "yes" : "no";
            }
            default -> throw new IllegalStateException(type.name());
        }
        return new Example(render(shapes, random), List.copyOf(shapes), type, question, answer);
    }

    static String word(Enum<?> e) {
        return e.name().toLowerCase();
    }

    /** Dark, slightly noisy background; shapes filled in flat colour. */
    private RgbImage render(List<Shape> shapes, Random random) {
        byte[] rgb = new byte[size * size * 3];
        for (int i = 0; i < size * size; i++) {
            int base = 20 + random.nextInt(16);
            rgb[i * 3] = (byte) base;
            rgb[i * 3 + 1] = (byte) base;
            rgb[i * 3 + 2] = (byte) (base + 6);
        }
        for (Shape s : shapes) {
            for (int y = Math.max(0, s.cy - s.radius); y <= Math.min(size - 1, s.cy + s.radius); y++) {
                for (int x = Math.max(0, s.cx - s.radius); x <= Math.min(size - 1, s.cx + s.radius); x++) {
                    if (inside(s, x + 0.5, y + 0.5)) {
                        int i = (y * size + x) * 3;
                        rgb[i] = (byte) s.colour.r;
                        rgb[i + 1] = (byte) s.colour.g;
                        rgb[i + 2] = (byte) s.colour.b;
                    }
                }
            }
        }
        return new RgbImage(size, size, rgb);
    }

    static boolean inside(Shape s, double x, double y) {
        double dx = x - s.cx;
        double dy = y - s.cy;
        double r = s.radius;
        return switch (s.kind) {
            case CIRCLE -> dx * dx + dy * dy <= r * r;
            case SQUARE -> Math.abs(dx) <= r * 0.85 && Math.abs(dy) <= r * 0.85;
            case DIAMOND -> Math.abs(dx) + Math.abs(dy) <= r;
            // Apex up, base at the bottom: inside when below both slanted edges and above the base.
            case TRIANGLE -> dy <= r * 0.8 && dy >= -r && Math.abs(dx) <= (dy + r) * 0.6;
        };
    }
}
