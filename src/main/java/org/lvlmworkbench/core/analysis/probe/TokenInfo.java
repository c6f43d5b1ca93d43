package org.lvlmworkbench.core.analysis.probe;

/**
 * One position of a probe run.
 *
 * @param position index in the full sequence (prompt then generated tokens)
 * @param tokenId  the vocabulary id (the image token's id for image positions)
 * @param text     the token as text (for image tokens, {@code img[r,c]})
 * @param step     for generated tokens, the decoding step that produced it (0 = the prefill's
 *                 prediction); -1 for prompt positions
 * @param image    for image tokens, which image of the prompt (0-based); else -1
 * @param row      for image patches, the row in that image's patch grid; else -1 (also for a class token)
 * @param col      for image patches, the column; else -1
 */
public record TokenInfo(int position, TokenKind kind, long tokenId, String text, int step, int image, int row,
        int col) {

    public boolean isImage() {
        return kind == TokenKind.IMAGE;
    }

    public boolean isText() {
        return kind == TokenKind.TEMPLATE || kind == TokenKind.QUESTION || kind == TokenKind.SPECIAL;
    }
}
