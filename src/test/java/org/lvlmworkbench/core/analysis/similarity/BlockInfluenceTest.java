package org.lvlmworkbench.core.analysis.similarity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Block Influence on layers whose effect on every token's direction is known exactly. */
class BlockInfluenceTest {

    private static final double EXACT = 1e-12;

    @Test
    void identityIsZeroNegationIsTwoAndAQuarterTurnIsOne() {
        Random random = new Random(21);
        float[][] x = TestMatrices.toFloat(TestMatrices.gaussian(50, 8, random));
        float[][] negated = new float[50][8];
        float[][] inPlane = new float[50][8];
        float[][] turned = new float[50][8];
        for (int t = 0; t < 50; t++) {
            for (int k = 0; k < 8; k++) {
                negated[t][k] = -x[t][k];
            }
            // Vectors in the plane of dimensions 2 and 5, turned by 90° within it: (a, b) → (−b, a).
            inPlane[t][2] = x[t][0];
            inPlane[t][5] = x[t][1];
            turned[t][2] = -x[t][1];
            turned[t][5] = x[t][0];
        }
        BlockInfluence bi = new BlockInfluence(3);
        bi.add(0, x, x);
        bi.add(1, x, negated);
        bi.add(2, inPlane, turned);
        double[] influence = bi.influence();
        assertEquals(0, influence[0], EXACT, "identity");
        assertEquals(2, influence[1], EXACT, "x → −x");
        assertEquals(1, influence[2], EXACT, "90° turn in a plane");
        assertEquals(50, bi.tokens(1));
    }

    @Test
    void theMeanIsOverTokensOfAllCallsAndZeroVectorsCountAsCosineZero() {
        float[][] in = {{1, 0}, {0, 0}, {3, 4}};
        float[][] out = {{2, 0}, {1, 1}, {-3, -4}};
        BlockInfluence bi = new BlockInfluence(1);
        bi.add(0, in, out);
        // cosines 1, 0 (zero input), −1 → influences 0, 1, 2
        assertEquals(1, bi.influence()[0], EXACT);
        bi.add(0, new float[][] {{1, 1}}, new float[][] {{1, 1}});
        assertEquals(3.0 / 4, bi.influence()[0], EXACT, "four tokens over two calls");
        assertEquals(4, bi.tokens(0));
    }

    @Test
    void consecutiveOutputsAreComparedOnlyWhereThePreviousOutputIsGiven() {
        float[][] embed = {{1, 0}, {0, 1}};
        float[][] out0 = {{1, 1}, {0, 1}};
        float[][] out1 = {{0, 1}, {0, -1}};
        BlockInfluence bi = new BlockInfluence(2);
        bi.add(0, embed, out0);
        bi.add(1, out0, out1, out0);
        double[] cosine = bi.consecutiveOutputCosine();
        assertTrue(Double.isNaN(cosine[0]), "layer 0 has no previous output");
        assertEquals((Math.sqrt(0.5) - 1) / 2, cosine[1], EXACT);
        // Here the layer's input is the previous output, so the two measures agree.
        assertEquals(1 - bi.influence()[1], cosine[1], EXACT);
    }

    @Test
    void unfedLayersAreNaNAndBadShapesAreRefused() {
        BlockInfluence bi = new BlockInfluence(2);
        bi.add(0, new float[][] {{1, 2}}, new float[][] {{2, 1}});
        assertTrue(Double.isNaN(bi.influence()[1]));
        IllegalArgumentException width = assertThrows(IllegalArgumentException.class,
                () -> bi.add(1, new float[][] {{1, 2}}, new float[][] {{1, 2, 3}}));
        assertTrue(width.getMessage().contains("layer 1 input token 0 has width 2"), width.getMessage());
        IllegalArgumentException tokens = assertThrows(IllegalArgumentException.class,
                () -> bi.add(1, new float[][] {{1}, {2}}, new float[][] {{1}}));
        assertTrue(tokens.getMessage().contains("2 tokens"), tokens.getMessage());
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> bi.add(1, new float[][] {{1}, {Float.NaN}}, new float[][] {{1}, {0}}));
        assertTrue(nan.getMessage().contains("token 1"), nan.getMessage());
        assertEquals(0, bi.tokens(1), "a refused call adds nothing");
        assertThrows(IllegalArgumentException.class, () -> bi.add(2, new float[][] {{1}}, new float[][] {{1}}));
    }
}
