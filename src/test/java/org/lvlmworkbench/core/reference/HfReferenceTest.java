package org.lvlmworkbench.core.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.ActivationCache;
import org.lvlmworkbench.core.hooks.HookPoints;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.safetensors.SafetensorsFile;
import org.lvlmworkbench.core.nn.Bf16Gemm;
import org.lvlmworkbench.testing.SystemProperties;

/**
 * Agreement with HF transformers' LlavaForConditionalGeneration. The fixtures were made by
 * {@code src/test/python/hf_reference.py} (transformers 5.18, torch 2.13, CPU) from the very
 * model folders read here: input ids from HF's processor and chat template, pixel values from its
 * CLIPImageProcessor, logits and every decoder hidden state, and the greedy continuation.
 */
class HfReferenceTest {

    private static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @CsvSource({
        "src/test/resources/hf-reference/tiny-llava, src/test/resources/hf-reference/gradient.png, "
                + "what color is the circle?, src/test/resources/hf-reference/tiny-llava.reference.safetensors",
        "samples/llava-shapes, samples/shapes-eval/images/0001.png, what color is the triangle?, "
                + "src/test/resources/hf-reference/llava-shapes.reference.safetensors"})
    void matchesTransformers(String model, String image, String prompt, String fixture) {
        // The reference path: the sample is BF16, whose prefill would otherwise round GEMM inputs to bf16.
        SystemProperties.with(Bf16Gemm.SETTING, "f32", () -> matches(model, image, prompt, fixture));
    }

    private void matches(String model, String image, String prompt, String fixture) {
        try (LoadedModel m = ModelLoader.load(Path.of(model), Device.cpu());
                SafetensorsFile ref = SafetensorsFile.open(Path.of(fixture));
                NDManager scope = m.model().manager().newSubManager();
                ActivationCache cache = new ActivationCache(scope)) {
            long[] ids = m.processor().encode(prompt, 1);
            assertArrayEquals(ref.toNDArray("input_ids", scope).toLongArray(), ids, "token ids, image expansion included");

            NDArray pixels = m.processor().pixelValues(List.of(RgbImage.read(Path.of(image))), scope);
            assertClose("pixel values", ref.toNDArray("pixel_values", scope), pixels, 1e-5);

            NDArray logits = m.model().forward(scope.create(ids, new Shape(1, ids.length)), pixels,
                    new Hooks().capture(p -> p.equals(HookPoints.TEXT_EMBED) || p.endsWith("resid_post")
                            && p.startsWith("text") || p.equals(HookPoints.FINAL_NORM), cache), null);
            assertClose("logits", ref.toNDArray("logits", scope), logits, TOLERANCE);

            // HF lists the embeddings, each layer's output, and (last) the final norm's output.
            int layers = m.model().decoder().numLayers();
            assertClose("hidden_states.0", ref.toNDArray("hidden_states.0", scope), cache.get(HookPoints.TEXT_EMBED),
                    TOLERANCE);
            for (int i = 0; i < layers - 1; i++) {
                assertClose("hidden_states." + (i + 1), ref.toNDArray("hidden_states." + (i + 1), scope),
                        cache.get(HookPoints.text(i).residPost()), TOLERANCE);
            }
            assertClose("hidden_states." + layers, ref.toNDArray("hidden_states." + layers, scope),
                    cache.get(HookPoints.FINAL_NORM), TOLERANCE);

            long[] expected = ref.toNDArray("generated_ids", scope).toLongArray();
            GenerationResult ours = Generator.generate(m, ids, pixels, GenerationSettings.greedy(6), Hooks.NONE, null);
            long[] hfWithoutEos = java.util.Arrays.stream(expected).takeWhile(t -> !m.eosTokenIds().contains(t)).toArray();
            assertArrayEquals(hfWithoutEos, ours.newIds(), "greedy continuation");
        }
    }

    private static void assertClose(String what, NDArray expected, NDArray actual, double tolerance) {
        assertEquals(expected.getShape(), actual.getShape(), what + " shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double worst = 0;
        for (int i = 0; i < e.length; i++) {
            worst = Math.max(worst, Math.abs(e[i] - a[i]));
        }
        System.out.printf("HF reference %-18s max abs difference %.2e%n", what, worst);
        assertTrue(worst <= tolerance, what + ": max |difference| " + worst + " > " + tolerance);
    }
}
