package org.lvlmworkbench.core.analysis.probe;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.model.PatchGrid;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.processing.TextTokenizer;

/** Encodes probe items as the model's processor would, and builds their token tables. */
public final class ProbeEncoder {

    private ProbeEncoder() {
    }

    /** {@code item} encoded for {@code model}; pixel values are allocated in {@code manager}. */
    public static EncodedProbe encode(LoadedModel model, ProbeItem item, NDManager manager) {
        RgbImage image = item.image() == null ? null : RgbImage.read(item.image());
        int images = image == null ? 0 : 1;
        long[] ids = model.processor().encode(item.prompt(), images);
        NDArray pixels = image == null ? null : model.processor().pixelValues(List.of(image), manager);
        List<PatchGrid> grids = image == null ? List.of() : List.of(model.processor().patchGrid(image));
        TokenTable table = table(model, ids, grids, question(model.tokenizer(), item.prompt()));
        long[] expected = item.expected() == null ? new long[0]
                : model.tokenizer().encode(item.expected(), false);
        return new EncodedProbe(item, ids, pixels, image, table, expected);
    }

    /** The question's own token ids, searched for in the prompt to tell the user's words from the template's. */
    private static long[] question(TextTokenizer tokenizer, String prompt) {
        return tokenizer.encode(prompt.strip(), false);
    }

    /**
     * The table of a prompt: image positions (runs of the image token, one per patch of the next
     * image's grid, class token first where the grid has one), special tokens (those a decode that
     * skips special tokens drops), the question (the longest match of its standalone encoding, which
     * sentencepiece tokenizers may split differently at the start, so the first token is allowed to
     * differ) and the template's text around it.
     */
    static TokenTable table(LoadedModel model, long[] ids, List<PatchGrid> grids, long[] question) {
        long imageToken = model.model().imageTokenId();
        TextTokenizer tokenizer = model.tokenizer();
        int[] questionSpan = findQuestion(ids, question);
        List<TokenInfo> tokens = new ArrayList<>();
        int image = -1;
        int inImage = 0;
        for (int p = 0; p < ids.length; p++) {
            long id = ids[p];
            if (id == imageToken && imageToken >= 0) {
                if (inImage == 0) {
                    image++;
                    if (image >= grids.size()) {
                        throw new IllegalStateException("the prompt has more image runs than images (" + grids.size() + ")");
                    }
                }
                PatchGrid grid = grids.get(image);
                int[] cell = grid.cell(inImage);
                String text = cell == null ? "img" + image + "[cls]" : "img" + image + "[" + cell[0] + "," + cell[1] + "]";
                tokens.add(new TokenInfo(p, TokenKind.IMAGE, id, text, -1, image, cell == null ? -1 : cell[0],
                        cell == null ? -1 : cell[1]));
                inImage = inImage + 1 == grid.tokens() ? 0 : inImage + 1;
                continue;
            }
            inImage = 0;
            String text = tokenizer.decode(new long[] {id}, false);
            boolean special = tokenizer.decode(new long[] {id}, true).isEmpty() && !text.isEmpty();
            TokenKind kind = special ? TokenKind.SPECIAL
                    : p >= questionSpan[0] && p < questionSpan[1] ? TokenKind.QUESTION : TokenKind.TEMPLATE;
            tokens.add(new TokenInfo(p, kind, id, text, -1, -1, -1, -1));
        }
        return new TokenTable(tokens, grids, ids.length);
    }

    /** [start, end) of the question's tokens in {@code ids}, or [0, 0) when not found. */
    static int[] findQuestion(long[] ids, long[] question) {
        for (int skip = 0; skip <= 1 && skip < question.length; skip++) {
            int n = question.length - skip;
            for (int start = ids.length - n; start >= 0; start--) {
                boolean match = true;
                for (int i = 0; i < n && match; i++) {
                    match = ids[start + i] == question[skip + i];
                }
                if (match) {
                    // A first token split differently still belongs to the question.
                    int from = skip == 1 && start > 0 ? start - 1 : start;
                    return new int[] {from, start + n};
                }
            }
        }
        return new int[] {0, 0};
    }

    /** A generated token's row in the table. */
    static TokenInfo generated(TextTokenizer tokenizer, int position, long id, int step) {
        return new TokenInfo(position, TokenKind.GENERATED, id, tokenizer.decode(new long[] {id}, false), step, -1, -1, -1);
    }
}
