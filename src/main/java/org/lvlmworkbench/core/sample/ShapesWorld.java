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

    public enum Kind { CIRCLE, SQUARE, TRIANGLE, CROSS }

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

    /** One question with its answer. */
    public record QA(QuestionType type, String question, String answer) {
    }

    /** Several different questions about one image, as a multi-turn chat. */
    public record Conversation(RgbImage image, List<Shape> shapes, List<QA> turns) {
    }

    /**
     * How training scenes are drawn. {@link #UNIFORM} (one to three shapes, equally likely) is the
     * stream the shipped 8-layer sample was trained on. {@link #BINDING} draws two or three shapes
     * five times in six and retries a relation question that drew a pair it cannot ask about: with a
     * lone shape, "is the cross on the left?" is answered by where anything is, so a deep model
     * learned that shortcut and never which shape sits where (it failed on "left of" and on the far
     * column whenever a second shape was present). {@link #BINDING_WHERE} draws the same scenes and
     * asks more often the questions that need a shape bound to its place (weights colour 3, shape
     * 2, count 2, left/right 4, top/bottom 4, left-of 5): kinds, colours and counts are learned
     * within a few hundred steps, binding is what takes the rest of the run.
     */
    public enum SceneMix { UNIFORM, BINDING, BINDING_WHERE }

    /** Question-type weights of {@link SceneMix#BINDING_WHERE}, in {@link QuestionType} order. */
    private static final int[] WHERE_WEIGHTS = {3, 2, 2, 4, 4, 5};

    /** Every word questions and answers use, for the tokenizer. */
    public static final List<String> WORDS = List.of("user", "assistant", ":", "?", "what", "color", "is", "the",
            "shape", "how", "many", "shapes", "are", "there", "on", "left", "or", "right", "at", "top", "bottom",
            "of", "yes", "no", "circle", "square", "triangle", "cross", "red", "green", "blue", "yellow", "purple",
            "one", "two", "three", "describe", "image", ".");

    /** The training-only turn that names every shape, left to right. */
    public static final String CAPTION_QUESTION = "describe the image.";

    private static final String[] COUNT_WORDS = {"zero", "one", "two", "three"};

    private final int size;
    private final long seed;
    /** A board cell's side and the board's offset from the image's edge, in pixels. */
    private final int cell;
    private final int margin;

    public ShapesWorld(int size, long seed) {
        if (size < 24) {
            throw new IllegalArgumentException("images must be at least 24 pixels, got " + size);
        }
        this.size = size;
        this.seed = seed;
        this.cell = Math.max(8, size / 3 / 8 * 8);
        this.margin = (size - 3 * cell) / 2;
    }

    public int size() {
        return size;
    }

    private Random random(Split split, long index) {
        return new Random(seed * 0x9E3779B97F4A7C15L ^ split.salt * 31 + index);
    }

    /** One question about one image; question types are drawn uniformly. */
    public Example example(Split split, long index) {
        Random random = random(split, index);
        QuestionType type = QuestionType.values()[random.nextInt(QuestionType.values().length)];
        while (true) {
            List<Shape> shapes = scene(random, type == QuestionType.RELATION ? 2 + random.nextInt(2) : 1 + random.nextInt(3));
            QA qa = ask(random, type, shapes);
            if (qa != null) {
                return new Example(render(shapes, random), List.copyOf(shapes), type, qa.question(), qa.answer());
            }
        }
    }

    /**
     * Up to {@code turns} different questions about one image. Training on conversations reuses each
     * image's vision pass for several answers, as LLaVA's own instruction data does.
     */
    public Conversation conversation(Split split, long index, int turns) {
        return conversation(split, index, turns, SceneMix.UNIFORM);
    }

    /** {@link #conversation(Split, long, int)} with scenes drawn by {@code mix}. */
    public Conversation conversation(Split split, long index, int turns, SceneMix mix) {
        Random random = random(split, index);
        int count = mix == SceneMix.UNIFORM ? 1 + random.nextInt(3)
                : random.nextInt(6) == 0 ? 1 : 2 + random.nextInt(2);
        List<Shape> shapes = scene(random, count);
        List<QA> qas = new ArrayList<>();
        // Half the conversations also caption the image at a random turn: a dense signal that names
        // every shape's kind and colour, the way LLaVA's caption stage aligns vision with text.
        int captionTurn = random.nextBoolean() ? random.nextInt(turns) : -1;
        for (int attempt = 0; attempt < 40 && qas.size() < turns; attempt++) {
            if (qas.size() == captionTurn) {
                qas.add(new QA(null, CAPTION_QUESTION, caption(shapes)));
                continue;
            }
            QuestionType type = mix == SceneMix.BINDING_WHERE ? weightedType(random)
                    : QuestionType.values()[random.nextInt(QuestionType.values().length)];
            QA qa = ask(random, type, shapes);
            for (int retry = 0; mix != SceneMix.UNIFORM && type == QuestionType.RELATION && qa == null && retry < 4
                    && shapes.size() > 1; retry++) {
                qa = ask(random, type, shapes);
            }
            QA asked = qa;
            if (qa != null && qas.stream().noneMatch(q -> q.question().equals(asked.question()))) {
                qas.add(qa);
            }
        }
        return new Conversation(render(shapes, random), List.copyOf(shapes), List.copyOf(qas));
    }

    private static QuestionType weightedType(Random random) {
        int total = java.util.Arrays.stream(WHERE_WEIGHTS).sum();
        int pick = random.nextInt(total);
        for (int t = 0; t < WHERE_WEIGHTS.length; t++) {
            pick -= WHERE_WEIGHTS[t];
            if (pick < 0) {
                return QuestionType.values()[t];
            }
        }
        throw new IllegalStateException("weights sum to " + total);
    }

    /**
     * Shapes sit in distinct cells of a 3x3 board, centred with a pixel of jitter. A cell is size/3
     * pixels rounded down to a multiple of 8, and the board is centred in the image: with 8-pixel
     * patches each cell is a whole block of patches (2x2 at 48 and at 64 pixels, where the board
     * leaves an 8-pixel margin), so a shape's corners and curves land in the same patch positions
     * wherever it is: a tiny vision tower trained from scratch learns shapes from tens of thousands
     * of images instead of millions.
     */
    private List<Shape> scene(Random random, int count) {
        List<Integer> cells = new ArrayList<>(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8));
        java.util.Collections.shuffle(cells, random);
        List<Kind> kinds = new ArrayList<>(List.of(Kind.values()));
        List<Colour> colours = new ArrayList<>(List.of(Colour.values()));
        int maxR = cell / 2 - 1;
        int minR = Math.max(3, maxR - 2);
        List<Shape> shapes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int c = cells.get(i);
            Kind kind = kinds.remove(random.nextInt(kinds.size()));
            Colour colour = colours.remove(random.nextInt(colours.size()));
            int r = minR + random.nextInt(maxR - minR + 1);
            int cx = centre(c % 3) + random.nextInt(3) - 1;
            int cy = centre(c / 3) + random.nextInt(3) - 1;
            shapes.add(new Shape(kind, colour, cx, cy, r));
        }
        return shapes;
    }

    private int centre(int k) {
        return margin + k * cell + cell / 2;
    }

    private int column(Shape s) {
        return Math.max(0, Math.min(2, (s.cx - margin) / cell));
    }

    private int row(Shape s) {
        return Math.max(0, Math.min(2, (s.cy - margin) / cell));
    }

    /** A question of {@code type} about the scene, or null when the scene makes it ambiguous. */
    private QA ask(Random random, QuestionType type, List<Shape> shapes) {
        Shape s = shapes.get(random.nextInt(shapes.size()));
        String kind = word(s.kind);
        String colour = word(s.colour);
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
                if (column(s) == 1) {
                    return null;
                }
                question = "is the " + kind + " on the left or right?";
                answer = column(s) == 0 ? "left" : "right";
            }
            case VERTICAL -> {
                if (row(s) == 1) {
                    return null;
                }
                question = "is the " + kind + " at the top or bottom?";
                answer = row(s) == 0 ? "top" : "bottom";
            }
            case RELATION -> {
                Shape other = shapes.get(random.nextInt(shapes.size()));
                if (other == s || column(other) == column(s)) {
                    return null;
                }
                question = "is the " + kind + " left of the " + word(other.kind) + "?";
                answer = s.cx < other.cx ? "yes" : "no";
            }
            default -> throw new IllegalStateException(type.name());
        }
        return new QA(type, question, answer);
    }

    /** "red square blue circle": every shape, left to right. */
    static String caption(List<Shape> shapes) {
        List<Shape> sorted = new ArrayList<>(shapes);
        sorted.sort(java.util.Comparator.comparingInt(Shape::cx));
        StringBuilder sb = new StringBuilder();
        for (Shape s : sorted) {
            sb.append(sb.length() == 0 ? "" : " ").append(word(s.colour)).append(' ').append(word(s.kind));
        }
        return sb.toString();
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
            case CROSS -> Math.abs(dx) <= r && Math.abs(dy) <= r && (Math.abs(dx) <= r * 0.3 || Math.abs(dy) <= r * 0.3);
            // Apex up, base at the bottom: inside when below both slanted edges and above the base.
            case TRIANGLE -> dy <= r * 0.8 && dy >= -r && Math.abs(dx) <= (dy + r) * 0.6;
        };
    }
}
