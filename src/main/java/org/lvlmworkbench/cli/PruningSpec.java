package org.lvlmworkbench.cli;

import java.util.Locale;
import org.lvlmworkbench.core.compress.tokens.AdaptiveMass;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;

/** The command line's short form of a visual-token pruning policy, e.g. {@code fastv:2:0.5}. */
final class PruningSpec {

    /** Fits adaptive pruning's attention mass to a mean removed share (the plan's calibration items). */
    interface MassFitter {
        AdaptiveMass.Fit fit(int layer, double removedShare, int minKeep);
    }

    private PruningSpec() {
    }

    /** A spec that needs no calibration ({@code adaptive:K:share=R} is refused). */
    static VisualTokenPruning parse(String spec) {
        return parse(spec, null);
    }

    /**
     * {@code fitter} serves {@code adaptive:K:share=R[:MIN]}: the mass that removes a share {@code R} of the
     * image tokens on average over the calibration items.
     */
    static VisualTokenPruning parse(String spec, MassFitter fitter) {
        String[] p = spec.trim().toLowerCase(Locale.ROOT).split(":");
        try {
            return switch (p[0]) {
                case "fastv" -> {
                    need(p, 3, spec, "fastv:K:R");
                    yield VisualTokenPruning.fastV(Integer.parseInt(p[1]), Double.parseDouble(p[2]));
                }
                case "diversity" -> {
                    need(p, 3, spec, "diversity:K:R");
                    yield VisualTokenPruning.diversity(Integer.parseInt(p[1]), Double.parseDouble(p[2]));
                }
                case "adaptive" -> {
                    if (p.length != 3 && p.length != 4) {
                        throw new IllegalArgumentException("--prune " + spec + ": expected adaptive:K:MASS[:MIN] or "
                                + "adaptive:K:share=R[:MIN]");
                    }
                    int layer = Integer.parseInt(p[1]);
                    int minKeep = p.length == 4 ? Integer.parseInt(p[3]) : 1;
                    if (p[2].startsWith("share=")) {
                        if (fitter == null) {
                            throw new IllegalArgumentException("--prune " + spec + ": share= needs calibration items");
                        }
                        double share = Double.parseDouble(p[2].substring("share=".length()));
                        yield VisualTokenPruning.adaptive(layer, fitter.fit(layer, share, minKeep).mass(), minKeep);
                    }
                    yield VisualTokenPruning.adaptive(layer, Double.parseDouble(p[2]), minKeep);
                }
                case "schedule" -> {
                    need(p, 2, spec, "schedule:K1=KEEP1,K2=KEEP2");
                    String[] stages = p[1].split(",");
                    int[] layers = new int[stages.length];
                    double[] keep = new double[stages.length];
                    for (int i = 0; i < stages.length; i++) {
                        String[] kv = stages[i].split("=");
                        if (kv.length != 2) {
                            throw new IllegalArgumentException("--prune " + spec + ": stage '" + stages[i] + "' is not K=KEEP");
                        }
                        layers[i] = Integer.parseInt(kv[0].trim());
                        keep[i] = Double.parseDouble(kv[1].trim());
                    }
                    yield VisualTokenPruning.schedule(layers, keep);
                }
                default -> throw new IllegalArgumentException("--prune " + spec
                        + ": unknown method '" + p[0] + "' (fastv, adaptive, diversity or schedule)");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--prune " + spec + ": " + e.getMessage(), e);
        }
    }

    private static void need(String[] parts, int n, String spec, String form) {
        if (parts.length != n) {
            throw new IllegalArgumentException("--prune " + spec + ": expected " + form);
        }
    }
}
