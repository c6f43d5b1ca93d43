package org.lvlmworkbench.core.hooks;

/**
 * Names of the points in a forward pass where activations can be read or replaced, in the manner of
 * TransformerLens. Shapes: residual-stream points are {@code [batch, seq, hidden]}, attention
 * patterns {@code [batch, heads, query, key]}, logits {@code [batch, seq, vocab]}.
 *
 * <p>{@code blocks.N.resid_pre} of one block is the same tensor as {@code resid_post} of the block
 * before; both exist so a caller can name whichever reads better.
 */
public final class HookPoints {

    public static final String VISION_EMBED = "vision.embed";
    public static final String PROJECTOR_OUT = "projector.out";
    public static final String TEXT_EMBED = "text.embed";
    public static final String FINAL_NORM = "text.final_norm";
    public static final String LOGITS = "logits";

    private HookPoints() {
    }

    /** The names of one transformer block, built once so the forward pass allocates no strings. */
    public record Block(String residPre, String attnPattern, String attnOut, String residMid, String mlpIn,
            String mlpOut, String residPost) {

        public static Block of(String tower, int layer) {
            String p = tower + ".blocks." + layer + ".";
            return new Block(p + "resid_pre", p + "attn.pattern", p + "attn_out", p + "resid_mid", p + "mlp_in",
                    p + "mlp_out", p + "resid_post");
        }

        public String[] all() {
            return new String[] {residPre, attnPattern, attnOut, residMid, mlpIn, mlpOut, residPost};
        }
    }

    public static Block vision(int layer) {
        return Block.of("vision", layer);
    }

    public static Block text(int layer) {
        return Block.of("text", layer);
    }

    /** Layer index in a block hook name such as {@code text.blocks.7.resid_post}, or -1. */
    public static int layerOf(String name) {
        int i = name.indexOf(".blocks.");
        if (i < 0) {
            return -1;
        }
        int start = i + ".blocks.".length();
        int end = name.indexOf('.', start);
        try {
            return Integer.parseInt(name.substring(start, end < 0 ? name.length() : end));
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
