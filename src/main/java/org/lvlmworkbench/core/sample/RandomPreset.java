package org.lvlmworkbench.core.sample;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.lvlmworkbench.core.arch.llava.LlavaKeyLayout;
import org.lvlmworkbench.core.safetensors.DType;

/**
 * The shapes {@code make-random --shape} writes: the unit-test model and two real-size LLaVA-1.5
 * models, with the vocabulary size, storage type and layout each is written with by default.
 */
public enum RandomPreset {

    /** {@link LlavaSpec#tiny()} with the 35-entry test vocabulary; F32. */
    TINY("tiny", LlavaSpec.tiny(), 0, DType.F32),
    /** CLIP ViT-L/14-336 + 1024→2048→2048 projector + TinyLlama-1.1B; vocabulary 32 000; BF16. */
    TINYLLAMA_1_1B("tinyllama-1.1b", LlavaSpec.tinyLlama11b(), 32000, DType.BF16),
    /** llava-hf/llava-1.5-7b-hf: CLIP ViT-L/14-336 + 1024→4096→4096 projector + Vicuna-7B; vocabulary 32 064; BF16. */
    LLAVA_7B("llava-7b", LlavaSpec.llava7b(), 32064, DType.BF16);

    /**
     * Common English words (and those of the shapes questions), so that ordinary prompts tokenize to
     * real ids rather than {@code <unk>}; the rest of a real-size vocabulary is {@code tok<id>} fillers.
     */
    static final List<String> ENGLISH_WORDS = List.of(("a about above after again all also am an and another any "
            + "are around as at away back be because been before behind being below between big black blue both "
            + "bottom brown but by can car cat center circle close color colors come could count cross day describe "
            + "detail details did do does dog down each either empty every few find first five for four from front "
            + "gray green has have he her here high him his how i if image in inside into is it its just kind large "
            + "last left light like little long look made make man many me more most much my near next no not "
            + "nothing now number of off on one only or orange other our out over people person picture pink place "
            + "please purple red right room round same see shape shapes she should show side size small so some "
            + "square street table tell than that the their them then there these they thing things this those "
            + "three through to too top tree triangle two under up us very wall was water way we what when where "
            + "which white who why will with woman word words would write yellow yes you your zero").split(" "));

    private final String option;
    private final LlavaSpec spec;
    private final int vocabSize;
    private final DType defaultDtype;

    RandomPreset(String option, LlavaSpec spec, int vocabSize, DType defaultDtype) {
        this.option = option;
        this.spec = spec;
        this.vocabSize = vocabSize;
        this.defaultDtype = defaultDtype;
    }

    /** The name on the command line, e.g. {@code tinyllama-1.1b}. */
    public String option() {
        return option;
    }

    public LlavaSpec spec() {
        return spec;
    }

    public DType defaultDtype() {
        return defaultDtype;
    }

    /** The Hub's layout, for every shape. */
    public LlavaKeyLayout defaultLayout() {
        return LlavaKeyLayout.LEGACY;
    }

    /** Whether this shape is written with the streaming writer (anything but the unit-test model). */
    public boolean realSize() {
        return this != TINY;
    }

    /** The tokenizer written with this shape; its size is the config's {@code vocab_size}. */
    public WordLevelTokenizer tokenizer() {
        if (vocabSize == 0) {
            return new WordLevelTokenizer(RandomLlava.TEST_WORDS);
        }
        Set<String> words = new LinkedHashSet<>(RandomLlava.TEST_WORDS);
        words.addAll(ShapesWorld.WORDS);
        words.addAll(ENGLISH_WORDS);
        return WordLevelTokenizer.padded(new ArrayList<>(words), vocabSize);
    }

    /** The vocabulary size the config will name. */
    public int vocabSize() {
        return vocabSize == 0 ? new WordLevelTokenizer(RandomLlava.TEST_WORDS).size() : vocabSize;
    }

    /** Parameters of this shape (the LM head is untied, so counted apart from the embeddings). */
    public long parameterCount() {
        return LlavaFolderWriter.tensorShapes(spec, defaultLayout(), vocabSize()).values().stream()
                .mapToLong(s -> Arrays.stream(s).reduce(1, Math::multiplyExact)).sum();
    }

    public static RandomPreset byOption(String option) {
        for (RandomPreset p : values()) {
            if (p.option.equals(option)) {
                return p;
            }
        }
        throw new IllegalArgumentException("--shape must be one of " + String.join(", ", options()) + ", got '"
                + option + "'");
    }

    public static List<String> options() {
        return Arrays.stream(values()).map(RandomPreset::option).toList();
    }
}
