package org.lvlmworkbench.core.analysis.evolution;

/**
 * Where a position's prediction forms, from its divergences between consecutive lens entries.
 * Transition {@code i} is entry {@code i} → entry {@code i+1} (transition 0: embeddings → block 0).
 *
 * @param critical          the critical transition (start of the stable stage), or -1 when the
 *                          divergences never settle
 * @param mutation          the mutation transition, or -1 when none
 * @param stage             per transition: {@code rapid}, {@code stable} or {@code mutation}
 * @param finalStepMutation the only mutation is the last transition, which under the raw lens also
 *                          applies the final norm: likely an artefact of the lens, not of the model
 */
public record Stages(int critical, int mutation, String[] stage, boolean finalStepMutation) {
}
