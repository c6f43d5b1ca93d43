package org.lvlmworkbench.core.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShapesWorldTest {

    private final ShapesWorld world = new ShapesWorld(48, 7);

    @Test
    void examplesAreReproducibleAndSplitsDiffer() {
        ShapesWorld.Example a = world.example(ShapesWorld.Split.TRAIN, 12);
        ShapesWorld.Example b = new ShapesWorld(48, 7).example(ShapesWorld.Split.TRAIN, 12);
        assertArrayEquals(a.image().rgb(), b.image().rgb());
        assertEquals(a.question(), b.question());
        assertNotEquals(a.question() + a.shapes(), world.example(ShapesWorld.Split.EVALUATION, 12).question()
                + world.example(ShapesWorld.Split.EVALUATION, 12).shapes());
    }

    @Test
    void answersAgreeWithTheSceneAndEveryTypeAppears() {
        Map<ShapesWorld.QuestionType, Integer> counts = new EnumMap<>(ShapesWorld.QuestionType.class);
        for (int i = 0; i < 600; i++) {
            ShapesWorld.Example e = world.example(ShapesWorld.Split.TRAIN, i);
            counts.merge(e.type(), 1, Integer::sum);
            assertTrue(ShapesWorld.WORDS.contains(e.answer()), e.answer());
            Set<ShapesWorld.Kind> kinds = new HashSet<>();
            Set<ShapesWorld.Colour> colours = new HashSet<>();
            for (ShapesWorld.Shape s : e.shapes()) {
                assertTrue(kinds.add(s.kind()) && colours.add(s.colour()), "kinds and colours are unique per image");
            }
            switch (e.type()) {
                case COUNT -> assertEquals(new String[] {"", "one", "two", "three"}[e.shapes().size()], e.answer());
                case COLOR -> assertTrue(e.shapes().stream().anyMatch(s -> e.question().contains(ShapesWorld.word(s.kind()))
                        && ShapesWorld.word(s.colour()).equals(e.answer())));
                default -> { }
            }
        }
        assertEquals(ShapesWorld.QuestionType.values().length, counts.size());
        counts.values().forEach(c -> assertTrue(c > 60, "types are balanced: " + counts));
    }

    @Test
    void shapesArePaintedInTheirColour() {
        ShapesWorld.Example e = world.example(ShapesWorld.Split.TRAIN, 3);
        ShapesWorld.Shape s = e.shapes().get(0);
        int r = e.image().get(s.cx(), s.cy(), 0);
        int g = e.image().get(s.cx(), s.cy(), 1);
        assertEquals(s.colour().r, r);
        assertEquals(s.colour().g, g);
    }

    @Test
    void theBindingMixAsksAboutScenesOfSeveralShapesAndMoreOftenWhichIsLeft() {
        ShapesWorld world = new ShapesWorld(64, 11);
        int[] several = new int[2];
        int[] relations = new int[2];
        int n = 600;
        for (int i = 0; i < n; i++) {
            ShapesWorld.Conversation uniform = world.conversation(ShapesWorld.Split.TRAIN, i, 4);
            ShapesWorld.Conversation same = world.conversation(ShapesWorld.Split.TRAIN, i, 4, ShapesWorld.SceneMix.UNIFORM);
            assertEquals(uniform.turns(), same.turns(), "the default stream is the uniform one, unchanged");
            assertEquals(uniform.shapes(), same.shapes());
            ShapesWorld.Conversation binding = world.conversation(ShapesWorld.Split.TRAIN, i, 4,
                    ShapesWorld.SceneMix.BINDING);
            ShapesWorld.Conversation[] both = {uniform, binding};
            for (int k = 0; k < 2; k++) {
                several[k] += both[k].shapes().size() >= 2 ? 1 : 0;
                relations[k] += (int) both[k].turns().stream()
                        .filter(q -> q.type() == ShapesWorld.QuestionType.RELATION).count();
            }
        }
        assertTrue(several[0] > 0.6 * n && several[0] < 0.73 * n, "uniform: two thirds with several shapes, " + several[0]);
        assertTrue(several[1] > 0.78 * n && several[1] < 0.89 * n, "binding: five sixths, " + several[1]);
        assertTrue(relations[1] > 1.5 * relations[0], "binding asks 'left of' more often: " + relations[1] + " against "
                + relations[0]);
    }

    @Test
    void theWhereMixKeepsTheBindingScenesAndAsksWhereMoreOften() {
        ShapesWorld world = new ShapesWorld(64, 11);
        int[][] byType = new int[2][ShapesWorld.QuestionType.values().length];
        for (int i = 0; i < 600; i++) {
            ShapesWorld.Conversation binding = world.conversation(ShapesWorld.Split.TRAIN, i, 6,
                    ShapesWorld.SceneMix.BINDING);
            ShapesWorld.Conversation where = world.conversation(ShapesWorld.Split.TRAIN, i, 6,
                    ShapesWorld.SceneMix.BINDING_WHERE);
            assertEquals(binding.shapes(), where.shapes(), "same scenes, example " + i);
            ShapesWorld.Conversation[] both = {binding, where};
            for (int k = 0; k < 2; k++) {
                for (ShapesWorld.QA qa : both[k].turns()) {
                    if (qa.type() != null) {
                        byType[k][qa.type().ordinal()]++;
                    }
                }
            }
        }
        int relation = ShapesWorld.QuestionType.RELATION.ordinal();
        int count = ShapesWorld.QuestionType.COUNT.ordinal();
        assertTrue(byType[1][relation] > 1.3 * byType[0][relation],
                "'left of' more often: " + byType[1][relation] + " against " + byType[0][relation]);
        assertTrue(byType[1][count] < 0.9 * byType[0][count],
                "counting less often (one count question a conversation at most): " + byType[1][count] + " against " + byType[0][count]);
    }
}
