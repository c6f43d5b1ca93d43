package org.lvlmworkbench.core.arch.llava;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.lvlmworkbench.core.arch.clip.ClipVisionConfig;
import org.lvlmworkbench.core.arch.clip.ClipVisionTower;
import org.lvlmworkbench.core.arch.llama.LlamaDecoder;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.model.ComponentSizes;
import org.lvlmworkbench.core.model.ForwardInputs;
import org.lvlmworkbench.core.model.LinearWeight;
import org.lvlmworkbench.core.model.ModelCard;
import org.lvlmworkbench.core.model.pruning.VisualTokenPruning;
import org.lvlmworkbench.core.nn.ForwardScope;
import org.lvlmworkbench.core.nn.KvCache;
import org.lvlmworkbench.core.model.LanguageModel;
import org.lvlmworkbench.core.nn.ModelParameters;
import org.lvlmworkbench.core.nn.WeightLoader;
import org.lvlmworkbench.core.safetensors.DType;
import org.lvlmworkbench.core.nn.OwnedTensors;

/**
 * HF {@code LlavaForConditionalGeneration}: the CLIP tower's selected hidden states, projected to
 * the decoder's width, take the places of the {@code <image>} tokens in the prompt.
 *
 * <p>Visual-token pruning ({@link VisualTokenPruning}) is part of the forward pass: the policy comes
 * from config.json's {@code visual_token_pruning} or from {@link #withPruning}, and every pass whose
 * prompt holds image tokens runs it (the prefill of a generation; decode steps carry no image token,
 * so nothing is pruned again). All of a prompt's image tokens, of every image, form one set.
 */
public final class LlavaModel implements LanguageModel {

    private final LlavaConfig config;
    private final LlavaKeyLayout layout;
    private final NDManager manager;
    private final ClipVisionTower vision;
    private final LlavaProjector projector;
    private final LlamaDecoder decoder;
    private final ModelParameters parameters;
    /** False for a {@link #withPruning} view, which shares the weights and closes nothing. */
    private final boolean owner;

    public LlavaModel(LlavaConfig config, LlavaKeyLayout layout, WeightLoader w, NDManager manager) {
        this.owner = true;
        this.config = config;
        this.layout = layout;
        this.manager = manager;
        this.vision = new ClipVisionTower(config.vision(), w, layout.vision());
        long visionWidth = (long) config.vision().hiddenSize() * config.visionFeatureLayers().size();
        this.projector = new LlavaProjector(w, layout.projector(), visionWidth, config.text().hiddenSize(),
                config.projectorBias(), config.projectorHiddenAct());
        this.decoder = new LlamaDecoder(config.text(), w, layout.text(), layout.lmHead());
        this.parameters = ModelParameters.of(w, manager);
    }

    private LlavaModel(LlavaModel shared, LlavaConfig config) {
        this.owner = false;
        this.config = config;
        this.layout = shared.layout;
        this.manager = shared.manager;
        this.vision = shared.vision;
        this.projector = shared.projector;
        this.decoder = shared.decoder;
        this.parameters = shared.parameters;
    }

    @Override
    public VisualTokenPruning pruning() {
        return config.visualTokenPruning();
    }

    /**
     * This model under another pruning policy ({@link VisualTokenPruning#NONE} for none): a view sharing
     * every weight, vision tower, projector and decoder with this one, which is not changed. Closing the
     * view does nothing; it is dead once the model that loaded the weights is closed.
     *
     * @throws org.lvlmworkbench.core.model.pruning.InvalidPruningException for a stage at or past the
     *         decoder's last layer (field {@code stages[i].layer})
     */
    @Override
    public LlavaModel withPruning(VisualTokenPruning pruning) {
        return new LlavaModel(this, config.withPruning(pruning));
    }

    public LlavaConfig config() {
        return config;
    }

    public LlavaKeyLayout layout() {
        return layout;
    }

    public ClipVisionTower vision() {
        return vision;
    }

    public LlavaProjector projector() {
        return projector;
    }

    @Override
    public String modelType() {
        return "llava";
    }

    @Override
    public NDManager manager() {
        return manager;
    }

    @Override
    public LlamaDecoder decoder() {
        return decoder;
    }

    @Override
    public long imageTokenId() {
        return config.imageTokenIndex();
    }

    /** Positions one image occupies in the decoder's sequence. */
    public int tokensPerImage() {
        return config.tokensPerImage();
    }

    @Override
    public String keyLayout() {
        return layout.name();
    }

    @Override
    public List<ModelCard.Section> describe() {
        ClipVisionConfig v = config.vision();
        List<ModelCard.Section> out = new ArrayList<>();
        List<ModelCard.Fact> visionFacts = new ArrayList<>(List.of(
                new ModelCard.Fact("kind", "CLIP ViT"),
                new ModelCard.Fact("layers", v.numLayers() + " (" + config.visionLayersUsed() + " run)"),
                new ModelCard.Fact("width", Integer.toString(v.hiddenSize())),
                new ModelCard.Fact("heads", Integer.toString(v.numHeads())),
                new ModelCard.Fact("mlp", v.intermediateSize() + ", " + v.hiddenAct()),
                new ModelCard.Fact("image", v.imageSize() + "×" + v.imageSize() + ", patch " + v.patchSize()),
                new ModelCard.Fact("feature layers", config.visionFeatureLayers() + ", strategy '"
                        + config.visionFeatureSelectStrategy() + "'"),
                new ModelCard.Fact("tokens per image", Integer.toString(config.tokensPerImage()))));
        if (!config.visualTokenPruning().isNone()) {
            visionFacts.add(new ModelCard.Fact("visual-token pruning", config.visualTokenPruning().describe()));
        }
        out.add(new ModelCard.Section("vision tower", visionFacts));
        out.add(new ModelCard.Section("projector", List.of(
                new ModelCard.Fact("kind", "MLP " + projector.linear1.inFeatures() + " → "
                        + projector.linear1.outFeatures() + " → " + projector.linear2.outFeatures() + ", "
                        + config.projectorHiddenAct()))));
        out.add(decoder.describe());
        out.add(new ModelCard.Section("checkpoint keys", List.of(
                new ModelCard.Fact("text decoder", layout.text() + "…"),
                new ModelCard.Fact("vision tower", layout.vision() + "…"),
                new ModelCard.Fact("projector", layout.projector() + "…"),
                new ModelCard.Fact("lm head", layout.lmHead()))));
        return out;
    }

    @Override
    public NDArray forward(ForwardInputs inputs, Hooks hooks, KvCache cache) {
        NDArray tokenIds = inputs.tokenIds();
        NDArray pixelValues = inputs.pixelValues();
        return ForwardScope.run(tokenIds.getManager(), () -> {
            NDArray embeddings = decoder.embed(tokenIds);
            long[] ids = tokenIds.toLongArray();
            int imageTokens = 0;
            for (long id : ids) {
                if (id == config.imageTokenIndex()) {
                    imageTokens++;
                }
            }
            if (pixelValues != null) {
                embeddings = mergeImages(embeddings, ids, imageFeatures(pixelValues, hooks));
            } else if (imageTokens > 0 && cache != null && cache.position() > 0) {
                // A decode step whose input is a generated <image> id (a badly compressed model can emit
                // one): embedded as the ordinary token it is. transformers' LLaVA merges image features
                // only where pixel values are given (read from its code; not run against it here).
                imageTokens = 0;
            } else if (imageTokens > 0) {
                throw new IllegalArgumentException("the prompt has " + imageTokens + " image tokens but no image was given");
            }
            VisualTokenPruning pruning = config.visualTokenPruning();
            int[] imageRows = pruning.isNone() || imageTokens == 0 ? new int[0] : imageRows(ids, tokenIds, imageTokens);
            return decoder.forward(embeddings, inputs.positionIds(), inputs.logitRows(), cache, hooks, pruning,
                    imageRows);
        });
    }

    /** Where the image tokens are in a one-sequence prompt; pruning refuses batches. */
    private int[] imageRows(long[] ids, NDArray tokenIds, int imageTokens) {
        long batch = tokenIds.getShape().get(0);
        if (batch != 1) {
            throw new IllegalArgumentException("visual-token pruning (" + config.visualTokenPruning().describe()
                    + ") runs one sequence at a time; this batch has " + batch);
        }
        int[] rows = new int[imageTokens];
        int n = 0;
        for (int p = 0; p < ids.length; p++) {
            if (ids[p] == config.imageTokenIndex()) {
                rows[n++] = p;
            }
        }
        return rows;
    }

    /** Projected image features {@code [N, tokensPerImage, textHidden]}. */
    public NDArray imageFeatures(NDArray pixelValues, Hooks hooks) {
        List<NDArray> states = vision.hiddenStates(pixelValues, config.resolvedFeatureLayers(), hooks);
        List<NDArray> selected = new ArrayList<>();
        for (NDArray s : states) {
            selected.add(config.visionFeatureSelectStrategy().equals("default") ? s.get(":, 1:, :") : s);
        }
        NDArray features = selected.size() == 1 ? selected.get(0)
                : ai.djl.ndarray.NDArrays.concat(new NDList(selected), -1);
        return hooks.at(HookPoints.PROJECTOR_OUT, projector.apply(features, hooks));
    }

    /** Puts image features where the image tokens are, as one differentiable gather. */
    private NDArray mergeImages(NDArray embeddings, long[] ids, NDArray features) {
        long b = embeddings.getShape().get(0);
        long t = embeddings.getShape().get(1);
        long h = embeddings.getShape().get(2);
        long featureRows = features.getShape().get(0) * features.getShape().get(1);
        long[] index = new long[ids.length];
        long next = 0;
        for (int p = 0; p < ids.length; p++) {
            index[p] = ids[p] == config.imageTokenIndex() ? b * t + next++ : p;
        }
        if (next != featureRows) {
            throw new IllegalArgumentException("the prompt has " + next + " image tokens but the "
                    + features.getShape().get(0) + " image(s) give " + featureRows + " features ("
                    + config.tokensPerImage() + " each)");
        }
        NDArray table = embeddings.reshape(b * t, h).concat(features.reshape(featureRows, h), 0);
        NDArray gathered = Embedding.embedding(OwnedTensors.of(embeddings.getManager(), index), table, SparseFormat.DENSE)
                .singletonOrThrow();
        return gathered.reshape(b, t, h);
    }

    @Override
    public List<String> hookPoints() {
        List<String> out = new ArrayList<>();
        out.add(HookPoints.VISION_EMBED);
        for (int i = 0; i < config.visionLayersUsed(); i++) {
            out.addAll(List.of(HookPoints.vision(i).all()));
        }
        out.add(HookPoints.PROJECTOR_IN);
        out.add(HookPoints.PROJECTOR_HIDDEN);
        out.add(HookPoints.PROJECTOR_OUT);
        out.addAll(decoder.hookPoints(config.visualTokenPruning()));
        return out;
    }

    @Override
    public List<LinearWeight> linears() {
        List<LinearWeight> out = new ArrayList<>();
        // Only the vision layers that run: LLaVA reads the penultimate layer, the last one is loaded but unused.
        for (int i = 0; i < config.visionLayersUsed(); i++) {
            out.addAll(vision.layers().get(i).linears());
        }
        out.addAll(projector.linears());
        for (LlamaDecoder.Layer layer : decoder.layers()) {
            out.addAll(layer.linears());
        }
        return out;
    }

    @Override
    public Map<String, NDArray> parameters() {
        return parameters.float32();
    }

    @Override
    public Map<String, Long> parameterSizes() {
        return parameters.sizes();
    }

    @Override
    public List<ComponentSize> components() {
        return ComponentSizes.group(parameters.sizes(), parameters.storedTypes(), layout::componentOf);
    }

    @Override
    public void close() {
        if (owner) {
            manager.close();
        }
    }
}
