package org.lvlmworkbench.core.analysis.evolution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class StageDetectorTest {

    @Test
    void findsTheCriticalAndTheMutationLayer() {
        double[] d = {0.9, 0.7, 0.5, 0.05, 0.04, 0.03, 0.04, 0.03, 0.6, 0.2};
        Stages s = StageDetector.detect(d, StageSettings.DEFAULT);
        assertEquals(3, s.critical(), "first of three transitions at most 0.1 · 0.9");
        assertEquals(8, s.mutation());
        assertFalse(s.finalStepMutation());
        assertArrayEquals(new String[] {"rapid", "rapid", "rapid", "stable", "stable", "stable", "stable", "stable",
            "mutation", "mutation"}, s.stage());
    }

    @Test
    void flagsAMutationAtTheLastTransitionOnly() {
        double[] d = {0.9, 0.05, 0.04, 0.05, 0.04, 0.7};
        Stages s = StageDetector.detect(d, StageSettings.DEFAULT);
        assertEquals(1, s.critical());
        assertEquals(5, s.mutation());
        assertTrue(s.finalStepMutation());
    }

    @Test
    void aCurveThatNeverSettlesHasNoCriticalLayer() {
        Stages s = StageDetector.detect(new double[] {0.9, 0.8, 0.85, 0.7, 0.9}, StageSettings.DEFAULT);
        assertEquals(-1, s.critical());
        assertEquals(-1, s.mutation());
    }

    @Test
    void noisyStableStretchesAreNotMutations() {
        double[] d = {1.0, 0.08, 0.09, 0.07, 0.085, 0.075, 0.09, 0.08};
        assertEquals(-1, StageDetector.detect(d, StageSettings.DEFAULT).mutation());
    }

    @Test
    void thresholdsAreChecked() {
        assertThrows(IllegalArgumentException.class, () -> new StageSettings(0, 3, 3));
        assertThrows(IllegalArgumentException.class, () -> new StageSettings(0.1, 0, 3));
        assertThrows(IllegalArgumentException.class, () -> new StageSettings(0.1, 3, -1));
    }
}
