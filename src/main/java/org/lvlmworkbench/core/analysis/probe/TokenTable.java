package org.lvlmworkbench.core.analysis.probe;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;
import org.lvlmworkbench.core.model.PatchGrid;

/**
 * Every position of one probe run, prompt then generated tokens, each with its kind, text and (for
 * image tokens) its place in the processor's patch grid. Every view is derived from this table;
 * none assumes a token count or a grid size.
 */
public record TokenTable(List<TokenInfo> tokens, List<PatchGrid> grids, int promptLength) {

    public TokenTable {
        tokens = List.copyOf(tokens);
        grids = List.copyOf(grids);
        for (int i = 0; i < tokens.size(); i++) {
            if (tokens.get(i).position() != i) {
                throw new IllegalArgumentException("token " + i + " says position " + tokens.get(i).position());
            }
        }
        if (promptLength < 0 || promptLength > tokens.size()) {
            throw new IllegalArgumentException("prompt length " + promptLength + " outside 0.." + tokens.size());
        }
    }

    public int size() {
        return tokens.size();
    }

    public TokenInfo get(int position) {
        return tokens.get(position);
    }

    /** Positions whose token satisfies {@code filter}, ascending. */
    public int[] positions(Predicate<TokenInfo> filter) {
        return tokens.stream().filter(filter).mapToInt(TokenInfo::position).toArray();
    }

    public int[] imagePositions() {
        return positions(TokenInfo::isImage);
    }

    public int[] textPositions() {
        return positions(t -> t.kind() != TokenKind.IMAGE);
    }

    /** The last prompt position: the one whose output predicts the first generated token. */
    public int lastPromptPosition() {
        return promptLength - 1;
    }

    /**
     * The positions whose next-token prediction is generated token {@code step}: the last prompt
     * position for step 0, then the position of generated token {@code step − 1}.
     */
    public int predictingPosition(int step) {
        return promptLength - 1 + step;
    }

    public List<TokenInfo> generated() {
        return tokens.subList(promptLength, tokens.size());
    }

    /** The table of a run continued by more generated tokens. */
    public TokenTable withGenerated(List<TokenInfo> more) {
        List<TokenInfo> all = new ArrayList<>(tokens);
        all.addAll(more);
        return new TokenTable(Collections.unmodifiableList(all), grids, promptLength);
    }
}
