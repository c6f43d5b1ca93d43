package org.lvlmworkbench.core.reference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.lvlmworkbench.core.nn.Bf16Gemm;
import org.lvlmworkbench.testing.SystemProperties;
import org.junit.jupiter.params.provider.MethodSource;
import org.lvlmworkbench.core.generate.GenerationResult;
import org.lvlmworkbench.core.generate.GenerationSettings;
import org.lvlmworkbench.core.generate.Generator;
import org.lvlmworkbench.core.hooks.Hooks;
import org.lvlmworkbench.core.loading.LoadedModel;
import org.lvlmworkbench.core.loading.ModelLoader;
import org.lvlmworkbench.core.processing.ChatMessage;
import org.lvlmworkbench.core.processing.ClipImageProcessor;
import org.lvlmworkbench.core.processing.RgbImage;
import org.lvlmworkbench.core.safetensors.SafetensorsFile;

/**
 * Folders that transformers 5.18 itself wrote ({@code save_pretrained} of the model and of its
 * processor, both {@code save_original_format} settings, F32/BF16/F16 and sharded, GQA, llama3
 * rope scaling, θ ≠ 10000, tied and untied embeddings, vision feature layer −1 and −2, strategies
 * default and full; text-only Llama-3 and Qwen2 with their real chat templates) open here and
 * match transformers: equal token ids, pixels within 1e-6, logits within 1e-4, the same greedy
 * tokens. The fixtures are made by {@code src/test/python/hf_fixtures.py}; its {@code NOTES.md}
 * records what transformers writes.
 */
class TransformersFixturesTest {

    private static final Path ROOT = Path.of("src/test/resources/hf-fixtures");
    private static final double LOGIT_TOLERANCE = 1e-4;
    private static final double PIXEL_TOLERANCE = 1e-6;

    record Prompt(int index, List<ChatMessage> conversation, String image) {
    }

    record Case(String name, String kind, Path folder, Path reference, List<Prompt> prompts) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() throws IOException {
        JsonObject manifest = JsonParser.parseString(Files.readString(ROOT.resolve("cases.json"))).getAsJsonObject();
        List<Case> out = new ArrayList<>();
        for (JsonElement e : manifest.getAsJsonArray("cases")) {
            JsonObject c = e.getAsJsonObject();
            List<Prompt> prompts = new ArrayList<>();
            JsonArray ps = c.getAsJsonArray("prompts");
            for (int i = 0; i < ps.size(); i++) {
                JsonObject p = ps.get(i).getAsJsonObject();
                String image = p.get("image").isJsonNull() ? null : p.get("image").getAsString();
                prompts.add(new Prompt(i, conversation(p.getAsJsonArray("conversation")), image));
            }
            out.add(new Case(c.get("name").getAsString(), c.get("kind").getAsString(),
                    ROOT.resolve(c.get("folder").getAsString()), ROOT.resolve(c.get("reference").getAsString()),
                    prompts));
        }
        assertTrue(out.size() >= 6, "the manifest lists the cases");
        return out.stream();
    }

    /** The cases whose reference holds transformers' bf16 computation (BF16 checkpoints). */
    static Stream<Case> bf16Cases() throws IOException {
        List<Case> out = cases().filter(c -> {
            try (SafetensorsFile ref = SafetensorsFile.open(c.reference())) {
                return ref.contains("logits_bf16.0");
            }
        }).toList();
        assertTrue(!out.isEmpty(), "the fixtures hold a BF16 case computed in bf16");
        return out.stream();
    }

    /** The conversation as the user passed it to transformers: content parts for LLaVA, strings for text-only. */
    private static List<ChatMessage> conversation(JsonArray turns) {
        List<ChatMessage> out = new ArrayList<>();
        for (JsonElement t : turns) {
            JsonObject turn = t.getAsJsonObject();
            String role = turn.get("role").getAsString();
            JsonElement content = turn.get("content");
            if (content.isJsonPrimitive()) {
                out.add(ChatMessage.plain(role, content.getAsString()));
            } else {
                List<ChatMessage.Part> parts = new ArrayList<>();
                for (JsonElement part : content.getAsJsonArray()) {
                    JsonObject po = part.getAsJsonObject();
                    String type = po.get("type").getAsString();
                    parts.add(new ChatMessage.Part(type, type.equals("text") ? po.get("text").getAsString() : null));
                }
                out.add(ChatMessage.ofParts(role, parts));
            }
        }
        return out;
    }

    /** The reference path (exact widening, float32 GEMMs) against transformers computing in float32. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void opensAndMatchesTransformers(Case c) {
        SystemProperties.with(Bf16Gemm.SETTING, "f32", () -> matchesTransformers(c));
    }

    /**
     * A BF16 checkpoint on the default path (bf16 GEMM inputs where oneDNN runs them) is no further
     * from transformers' float32 logits than transformers' own bf16 computation is.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("bf16Cases")
    void theFastBf16PathIsNoWorseThanTransformersInBf16(Case c) {
        try (LoadedModel m = ModelLoader.load(c.folder(), Device.cpu());
                SafetensorsFile ref = SafetensorsFile.open(c.reference());
                NDManager scope = m.model().manager().newSubManager()) {
            for (Prompt p : c.prompts()) {
                String what = c.name() + " prompt " + p.index() + " (" + Bf16Gemm.status() + ")";
                NDArray ids = ref.toNDArray("input_ids." + p.index(), scope);
                NDArray pixels = ref.contains("pixel_values." + p.index())
                        ? ref.toNDArray("pixel_values." + p.index(), scope) : null;
                NDArray logits = m.model().forward(ids, pixels, Hooks.NONE, null);
                NDArray exact = ref.toNDArray("logits." + p.index(), scope);
                double ours = exact.sub(logits).abs().max().getFloat();
                double theirs = exact.sub(ref.toNDArray("logits_bf16." + p.index(), scope)).abs().max().getFloat();
                assertTrue(ours <= theirs, what + ": max logit error " + ours + " against float32, transformers in bf16 "
                        + theirs);
            }
        }
    }

    private void matchesTransformers(Case c) {
        try (LoadedModel m = ModelLoader.load(c.folder(), Device.cpu());
                SafetensorsFile ref = SafetensorsFile.open(c.reference());
                NDManager scope = m.model().manager().newSubManager()) {
            for (Prompt p : c.prompts()) {
                String what = c.name() + " prompt " + p.index();
                List<RgbImage> images = p.image() == null ? List.of()
                        : List.of(RgbImage.read(ROOT.resolve("images").resolve(p.image())));
                long[] ids = m.processor().encode(p.conversation(), images.size());
                assertArrayEquals(ref.toNDArray("input_ids." + p.index(), scope).toLongArray(), ids,
                        what + ": token ids, chat template and image expansion included");

                NDArray pixels = images.isEmpty() ? null : m.processor().pixelValues(images, scope);
                if (pixels != null) {
                    assertClose(what + ": pixel values", ref.toNDArray("pixel_values." + p.index(), scope), pixels,
                            PIXEL_TOLERANCE);
                }
                NDArray logits = m.model().forward(scope.create(ids, new Shape(1, ids.length)), pixels, Hooks.NONE,
                        null);
                assertClose(what + ": logits", ref.toNDArray("logits." + p.index(), scope), logits, LOGIT_TOLERANCE);

                long[] expected = ref.toNDArray("generated_ids." + p.index(), scope).toLongArray();
                GenerationResult r = Generator.generate(m, ids, pixels, GenerationSettings.greedy(expected.length),
                        Hooks.NONE, null);
                assertGreedyAgrees(what, m, expected, r.newIds());
            }
        }
    }

    /**
     * transformers keeps writing (pad) tokens after an end-of-sequence token, where this project
     * stops; the tokens up to that point must be the same.
     */
    private static void assertGreedyAgrees(String what, LoadedModel m, long[] expected, long[] actual) {
        int n = actual.length;
        assertTrue(n <= expected.length, what + ": generated more tokens than transformers");
        for (int i = 0; i < n; i++) {
            assertEquals(expected[i], actual[i], what + ": greedy token " + i);
        }
        if (n < expected.length) {
            assertTrue(m.eosTokenIds().contains(expected[n]), what + ": stopped at token " + n
                    + " but transformers went on with " + expected[n]);
        }
    }

    /** Every image kind, decoded and preprocessed, against Pillow and CLIPImageProcessor. */
    @Test
    void imagesMatchPillowAndClipImageProcessor() {
        ClipImageProcessor processor = ClipImageProcessor.load(ROOT.resolve("llava-v5-default/model"));
        try (NDManager m = NDManager.newBaseManager(Device.cpu(), "PyTorch");
                SafetensorsFile ref = SafetensorsFile.open(ROOT.resolve("images/pixels.safetensors"))) {
            int checked = 0;
            for (String key : ref.tensors().keySet()) {
                if (key.startsWith("rgb.")) {
                    continue;
                }
                RgbImage image = RgbImage.read(ROOT.resolve("images").resolve(key));
                byte[] pillow = ref.toNDArray("rgb." + key, m).toByteArray();
                assertArrayEquals(pillow, image.rgb(), key + ": RGB bytes as Pillow's convert(\"RGB\")");
                assertClose(key + ": pixel values", ref.toNDArray(key, m), processor.toPixelValues(List.of(image), m),
                        PIXEL_TOLERANCE);
                checked++;
            }
            assertTrue(checked >= 7, "image kinds checked: " + checked);
        }
    }

    private static void assertClose(String what, NDArray expected, NDArray actual, double tolerance) {
        assertEquals(expected.getShape(), actual.getShape(), what + " shape");
        float[] e = expected.toFloatArray();
        float[] a = actual.toFloatArray();
        double worst = 0;
        int at = -1;
        for (int i = 0; i < e.length; i++) {
            double d = Math.abs(e[i] - a[i]);
            if (!(d <= worst)) {
                worst = d;
                at = i;
            }
        }
        assertTrue(worst <= tolerance, what + ": max difference " + worst + " at " + at + " exceeds " + tolerance);
    }
}
