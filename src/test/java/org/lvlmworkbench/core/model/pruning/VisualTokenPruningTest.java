package org.lvlmworkbench.core.model.pruning;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy value: its JSON form, its checks, and what each stage keeps. */
class VisualTokenPruningTest {

    @Test
    void fastVWritesTheDocumentedJson() {
        assertEquals("{\"version\":1,\"stages\":[{\"layer\":2,\"method\":\"fastv\",\"ratio\":0.5}]}",
                VisualTokenPruning.fastV(2, 0.5).toJson());
        assertEquals("{\"version\":1,\"stages\":[]}", VisualTokenPruning.NONE.toJson());
    }

    @Test
    void everyMethodRoundTrips() {
        List<VisualTokenPruning> policies = List.of(
                VisualTokenPruning.NONE,
                VisualTokenPruning.fastV(2, 0.5),
                VisualTokenPruning.fastV(1, 0),
                VisualTokenPruning.schedule(new int[] {2, 4, 6}, new double[] {0.5, 0.25, 0.125}),
                VisualTokenPruning.adaptive(3, 0.9, 4),
                VisualTokenPruning.diversity(0, 0.75),
                VisualTokenPruning.of(new VisualTokenPruning.Diversity(0, 0.5), new VisualTokenPruning.FastV(2, 0.5),
                        new VisualTokenPruning.Schedule(4, 0.1), new VisualTokenPruning.Adaptive(5, 0.8, 2)));
        for (VisualTokenPruning p : policies) {
            VisualTokenPruning back = VisualTokenPruning.fromJson(p.toJson());
            assertEquals(p, back, p.toJson());
            assertEquals(p.toJson(), back.toJson());
        }
        assertSame(VisualTokenPruning.NONE, VisualTokenPruning.fromJson("{\"version\": 1, \"stages\": []}"));
    }

    @Test
    void readsHandWrittenJson() {
        VisualTokenPruning p = VisualTokenPruning.fromJson("""
                {"version": 1, "stages": [
                  {"method": "schedule", "layer": 2, "keep": 0.5},
                  {"layer": 4.0, "method": "schedule", "keep": 0.5},
                  {"layer": 5, "method": "adaptive", "mass": 0.9, "min_keep": 4}]}
                """);
        assertEquals(3, p.stages().size());
        assertEquals(new VisualTokenPruning.Schedule(4, 0.5), p.stageAt(4));
        assertEquals(new VisualTokenPruning.Adaptive(5, 0.9, 4), p.stageAt(5));
        assertNull(p.stageAt(3));
        assertTrue(p.needsAttentionAt(1) && p.needsAttentionAt(3) && p.needsAttentionAt(4));
        assertFalse(p.needsAttentionAt(2));
        assertFalse(VisualTokenPruning.diversity(2, 0.5).needsAttentionAt(1), "diversity reads hidden states");
    }

    /** The field named by the refusal of {@code json}. */
    private static String refusedField(String json) {
        return assertThrows(InvalidPruningException.class, () -> VisualTokenPruning.fromJson(json)).field();
    }

    private static String stage(String body) {
        return "{\"version\": 1, \"stages\": [" + body + "]}";
    }

    @Test
    void invalidPoliciesAreRefusedNamingTheField() {
        assertEquals("stages[0].layer", refusedField(stage("{\"layer\": 0, \"method\": \"fastv\", \"ratio\": 0.5}")));
        assertEquals("stages[0].layer", refusedField(stage("{\"layer\": 0, \"method\": \"schedule\", \"keep\": 0.5}")));
        assertEquals("stages[0].layer", refusedField(stage("{\"layer\": 0, \"method\": \"adaptive\", \"mass\": 0.5, "
                + "\"min_keep\": 1}")));
        assertEquals("stages[0].layer", refusedField(stage("{\"layer\": -1, \"method\": \"diversity\", \"ratio\": 0.5}")));
        assertEquals("stages[0].ratio", refusedField(stage("{\"layer\": 2, \"method\": \"fastv\", \"ratio\": 1.0}")));
        assertEquals("stages[0].ratio", refusedField(stage("{\"layer\": 2, \"method\": \"fastv\", \"ratio\": -0.1}")));
        assertEquals("stages[0].ratio", refusedField(stage("{\"layer\": 2, \"method\": \"diversity\", \"ratio\": 1}")));
        assertEquals("stages[0].keep", refusedField(stage("{\"layer\": 2, \"method\": \"schedule\", \"keep\": 0}")));
        assertEquals("stages[0].keep", refusedField(stage("{\"layer\": 2, \"method\": \"schedule\", \"keep\": 1.2}")));
        assertEquals("stages[1].keep", refusedField(stage("{\"layer\": 2, \"method\": \"schedule\", \"keep\": 0.25},"
                + "{\"layer\": 4, \"method\": \"schedule\", \"keep\": 0.5}")));
        assertEquals("stages[1].layer", refusedField(stage("{\"layer\": 4, \"method\": \"fastv\", \"ratio\": 0.5},"
                + "{\"layer\": 4, \"method\": \"fastv\", \"ratio\": 0.5}")));
        assertEquals("stages[0].mass", refusedField(stage("{\"layer\": 2, \"method\": \"adaptive\", \"mass\": 0, "
                + "\"min_keep\": 1}")));
        assertEquals("stages[0].min_keep", refusedField(stage("{\"layer\": 2, \"method\": \"adaptive\", \"mass\": 0.9, "
                + "\"min_keep\": 0}")));
        assertEquals("stages[0].min_keep", refusedField(stage("{\"layer\": 2, \"method\": \"adaptive\", \"mass\": 0.9}")));
        assertEquals("stages[0].method", refusedField(stage("{\"layer\": 2, \"method\": \"sparsevlm\", \"ratio\": 0.5}")));
        assertEquals("stages[0].ration", refusedField(stage("{\"layer\": 2, \"method\": \"fastv\", \"ration\": 0.5}")));
        assertEquals("stages[0].layer", refusedField(stage("{\"layer\": 2.5, \"method\": \"fastv\", \"ratio\": 0.5}")));
        assertEquals("stages[0].ratio", refusedField(stage("{\"layer\": 2, \"method\": \"fastv\", \"ratio\": \"half\"}")));
        assertEquals("stages[0]", refusedField(stage("3")));
        assertEquals("version", refusedField("{\"stages\": []}"));
        assertEquals("version", refusedField("{\"version\": 2, \"stages\": []}"));
        assertEquals("stages", refusedField("{\"version\": 1}"));
        assertEquals("stages", refusedField("{\"version\": 1, \"stages\": {}}"));
        assertEquals("", refusedField("{\"version\": 1, "));
        assertEquals("", refusedField("[]"));
    }

    @Test
    void messagesSayWhatIsWrong() {
        InvalidPruningException e = assertThrows(InvalidPruningException.class,
                () -> VisualTokenPruning.fastV(2, 1.0));
        assertEquals("ratio", e.field());
        assertTrue(e.getMessage().contains("field 'ratio'") && e.getMessage().contains("[0, 1)"), e.getMessage());
        e = assertThrows(InvalidPruningException.class,
                () -> VisualTokenPruning.schedule(new int[] {2, 3}, new double[] {0.5, 0.6}));
        assertEquals("stages[1].keep", e.field());
        assertTrue(e.getMessage().contains("must not increase"), e.getMessage());
    }

    @Test
    void layersAtOrPastTheLastAreRefusedOnceTheDepthIsKnown() {
        VisualTokenPruning p = VisualTokenPruning.of(new VisualTokenPruning.FastV(2, 0.5),
                new VisualTokenPruning.FastV(8, 0.5));
        InvalidPruningException e = assertThrows(InvalidPruningException.class, () -> p.checkLayers(8));
        assertEquals("stages[1].layer", e.field());
        assertTrue(e.getMessage().contains("8 layers"), e.getMessage());
        assertSame(p, p.checkLayers(9));
    }

    @Test
    void stagesSelectWithTheirOwnCounts() {
        float[] scores = {0.1f, 0.6f, 0.3f, 0.2f, 0.5f, 0.4f};
        assertArrayEquals(new int[] {1, 4, 5}, new VisualTokenPruning.FastV(2, 0.5).select(scores, 36),
                "FastV counts the tokens entering the stage");
        assertArrayEquals(new int[] {1, 2, 3, 4, 5}, new VisualTokenPruning.FastV(2, 0.3).select(scores, 36),
                "⌈0.7 · 6⌉ = 5");
        assertArrayEquals(new int[] {1, 4}, new VisualTokenPruning.Schedule(2, 0.2).select(scores, 10),
                "a schedule counts the original tokens: ⌈0.2 · 10⌉ = 2");
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5}, new VisualTokenPruning.Schedule(2, 1).select(scores, 10),
                "never more than are left");
        assertArrayEquals(new int[] {1, 2, 4, 5}, new VisualTokenPruning.Adaptive(2, 0.8, 1).select(scores, 6),
                "0.6 + 0.5 + 0.4 = 1.5 < 0.8 · 2.1; + 0.3 = 1.8 ≥ 1.68");
        float[][] features = {{1, 0}, {-1, 0}, {0.99f, 0.01f}, {0, 1}};
        assertArrayEquals(new int[] {0, 1}, new VisualTokenPruning.Diversity(0, 0.5).select(features));
    }

    @Test
    void describesItselfForTheModelCard() {
        assertEquals("none", VisualTokenPruning.NONE.describe());
        assertEquals("fastv before layer 2: remove 50% of the image tokens", VisualTokenPruning.fastV(2, 0.5).describe());
    }
}
