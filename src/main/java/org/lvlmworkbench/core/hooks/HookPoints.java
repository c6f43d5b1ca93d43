package org.lvlmworkbench.core.hooks;

/**
 * Names of the points in a forward pass where activations can be read or replaced, in the manner of
 * TransformerLens. Per block, in forward order ({@code tower} is {@code vision} or {@code text}):
 *
 * <table>
 * <caption>block hook points</caption>
 * <tr><th>name</th><th>meaning</th><th>shape</th></tr>
 * <tr><td>{@code resid_pre}</td><td>residual stream entering the block</td><td>{@code [B, T, hidden]}</td></tr>
 * <tr><td>{@code ln1.normalized}</td><td>attention input after the first norm (RMSNorm or LayerNorm, weight applied)</td><td>{@code [B, T, hidden]}</td></tr>
 * <tr><td>{@code attn.pattern}</td><td>softmax attention weights</td><td>{@code [B, heads, query, key]}</td></tr>
 * <tr><td>{@code attn.z}</td><td>the heads' outputs side by side, the output projection's input</td><td>{@code [B, T, heads·head_dim]}</td></tr>
 * <tr><td>{@code attn_out}</td><td>attention output after the output projection</td><td>{@code [B, T, hidden]}</td></tr>
 * <tr><td>{@code resid_mid}</td><td>residual stream after adding attention</td><td>{@code [B, T, hidden]}</td></tr>
 * <tr><td>{@code mlp_in}</td><td>MLP input <em>before</em> the second norm (a copy of {@code resid_mid};
 *     replacing it changes only what the MLP sees, as TransformerLens' {@code hook_mlp_in})</td><td>{@code [B, T, hidden]}</td></tr>
 * <tr><td>{@code ln2.normalized}</td><td>MLP input after the second norm</td><td>{@code [B, T, hidden]}</td></tr>
 * <tr><td>{@code mlp.post}</td><td>the MLP's hidden activation, the down projection's input ({@code act(gate)·up}
 *     for Llama, {@code act(fc1)} for CLIP)</td><td>{@code [B, T, intermediate]}</td></tr>
 * <tr><td>{@code mlp_out}</td><td>MLP output</td><td>{@code [B, T, hidden]}</td></tr>
 * <tr><td>{@code resid_post}</td><td>residual stream leaving the block</td><td>{@code [B, T, hidden]}</td></tr>
 * </table>
 *
 * <p>{@code blocks.N.resid_pre} of one block is the same tensor as {@code resid_post} of the block
 * before; both exist so a caller can name whichever reads better. Vision points have {@code B} =
 * images and {@code T} = 1 + patches.
 *
 * <p>With visual-token pruning, a stage before text block {@code K} calls
 * {@code text.blocks.K.kept_positions} ({@link #keptPositions}) just before that block's
 * {@code resid_pre}: int64 {@code [B, T_kept]}, the original sequence positions (the rotary
 * positions, which for a prompt run from an empty cache are its token indices) of the rows that stay,
 * text and image, ascending. Row {@code r} of every later point's {@code T} axis is the token at
 * {@code kept_positions[r]} of the last stage; removed image tokens are the image positions missing
 * from it. The point can be captured, not replaced. It is called only in a pass with image tokens.
 */
public final class HookPoints {

    public static final String VISION_EMBED = "vision.embed";
    /** The projector's input, the selected vision features: {@code [images, patches, vision width · layers]}. */
    public static final String PROJECTOR_IN = "projector.in";
    /** The projector's hidden activation, its second linear's input: {@code [images, patches, text width]}. */
    public static final String PROJECTOR_HIDDEN = "projector.hidden";
    public static final String PROJECTOR_OUT = "projector.out";
    public static final String TEXT_EMBED = "text.embed";
    public static final String FINAL_NORM = "text.final_norm";
    public static final String LOGITS = "logits";

    private HookPoints() {
    }

    /** The names of one transformer block, built once so the forward pass allocates no strings. */
    public record Block(String residPre, String ln1Normalized, String attnPattern, String attnZ, String attnOut,
            String residMid, String mlpIn, String ln2Normalized, String mlpPost, String mlpOut, String residPost) {

        public static Block of(String tower, int layer) {
            String p = tower + ".blocks." + layer + ".";
            return new Block(p + "resid_pre", p + "ln1.normalized", p + "attn.pattern", p + "attn.z", p + "attn_out",
                    p + "resid_mid", p + "mlp_in", p + "ln2.normalized", p + "mlp.post", p + "mlp_out",
                    p + "resid_post");
        }

        /** Every point of the block, in the order the forward pass calls them. */
        public String[] all() {
            return new String[] {residPre, ln1Normalized, attnPattern, attnZ, attnOut, residMid, mlpIn, ln2Normalized,
                mlpPost, mlpOut, residPost};
        }
    }

    /**
     * {@code text.blocks.K.kept_positions}: the original positions of the rows a visual-token pruning
     * stage keeps before text block {@code layer}; int64 {@code [B, T_kept]}, capture only.
     */
    public static String keptPositions(int layer) {
        return "text.blocks." + layer + ".kept_positions";
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
