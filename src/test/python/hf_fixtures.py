"""Checkpoint fixtures written by transformers itself, with reference outputs.

Run (CPU is enough; needs torch, transformers 5.x, tokenizers, safetensors, pillow, numpy):

    python src/test/python/hf_fixtures.py src/test/resources/hf-fixtures
    python src/test/python/hf_fixtures.py --add-bf16-compute src/test/resources/hf-fixtures   (only logits_bf16)

Everything under the output folder is regenerated from code; nothing is downloaded. Each case builds a
tiny model with transformers' own classes, saves it with ``save_pretrained`` exactly as a user of
transformers would (model + processor/tokenizer in the same folder), loads the folder back with
``from_pretrained(folder, dtype=torch.float32)`` and records what transformers computes from it:

    <out>/<case>/model/                 the checkpoint folder as transformers wrote it
    <out>/<case>/reference.safetensors  per prompt i: input_ids.i, pixel_values.i (LLaVA), logits.i,
                                        generated_ids.i (+ image_features.i for LLaVA); the metadata
                                        entry "reference" is JSON with the prompts and rendered text
                                        (+ logits_bf16.i for BF16 cases: computed in bf16)
    <out>/images/                       small test images of many PIL modes, plus pixels.safetensors
    <out>/cases.json                    manifest of the cases
    <out>/NOTES.md                      facts for the Java loader, verified from the written files

The weights are random (fixed seed, large std so that logits are far from zero and greedy tokens
vary). The tokenizers are small BPE models trained in code with the `tokenizers` library on a few
sentences, built the way each model family builds them in transformers 5 (LlamaTokenizer with
Metaspace + byte fallback for llava-1.5, a PreTrainedTokenizerFast / TokenizersBackend with the
Llama-3 split regex + ByteLevel for Llama-3, Qwen2Tokenizer for Qwen2).
"""
import inspect
import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from safetensors import safe_open
from safetensors.torch import load_file, save_file

import tokenizers
import transformers
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
from transformers import (
    AutoModelForCausalLM,
    AutoProcessor,
    AutoTokenizer,
    CLIPImageProcessor,
    CLIPVisionConfig,
    GenerationConfig,
    LlamaConfig,
    LlamaForCausalLM,
    LlamaTokenizer,
    LlavaConfig,
    LlavaForConditionalGeneration,
    LlavaProcessor,
    PreTrainedTokenizerFast,
    Qwen2Config,
    Qwen2ForCausalLM,
    Qwen2Tokenizer,
)

torch.set_num_threads(1)
transformers.logging.set_verbosity_error()

# ---------------------------------------------------------------------------------------------
# Chat templates, verbatim from the public models.
# ---------------------------------------------------------------------------------------------

# llava-hf/llava-1.5-7b-hf, chat_template.json ("chat_template"). Iterates message['content'] as a
# list of {"type": ...} parts; no BOS in the template (the tokenizer's post-processor adds it).
# Cross-checked against the copy in openvinotoolkit/openvino.genai's chat_template_fallback_map,
# which is labelled "llava-hf/llava-1.5-7b-hf".
LLAVA15_TEMPLATE = (
    "{% for message in messages %}{% if message['role'] != 'system' %}{{ message['role'].upper() + ': '}}{% endif %}"
    "{# Render all images first #}{% for content in message['content'] | selectattr('type', 'equalto', 'image') %}"
    "{{ '<image>\n' }}{% endfor %}"
    "{# Render all text next #}{% if message['role'] != 'assistant' %}"
    "{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}{{ content['text'] + ' '}}{% endfor %}"
    "{% else %}{% for content in message['content'] | selectattr('type', 'equalto', 'text') %}"
    "{% generation %}{{ content['text'] + ' '}}{% endgeneration %}{% endfor %}{% endif %}{% endfor %}"
    "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
)

# Qwen/Qwen2-7B-Instruct (and Qwen2-0.5B/1.5B-Instruct), tokenizer_config.json "chat_template".
# ChatML; message['content'] is used as a string. Written from memory, cross-checked against
# several public copies of the Qwen2 template (note: Qwen1.5's variant lacks the final period in
# "You are a helpful assistant.").
CHATML_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# meta-llama/Meta-Llama-3-8B-Instruct, tokenizer_config.json "chat_template" (the revision with the
# add_generation_prompt guard). Emits {{ bos_token }} itself; message['content'] is a string, | trim.
LLAMA3_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}"
    "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)

TEMPLATES = {"llava-1.5": LLAVA15_TEMPLATE, "chatml-qwen2": CHATML_TEMPLATE, "llama-3": LLAMA3_TEMPLATE}

# ---------------------------------------------------------------------------------------------
# Tokenizers
# ---------------------------------------------------------------------------------------------

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "Describe the image in one short sentence.",
    "What color is the square in the picture?",
    "A red circle and a blue square are on a white background.",
    "How many shapes can you see? There are three shapes.",
    "The cat sat on the mat while the dog slept.",
    "Answer the question about the image with one word.",
    "Is there a green triangle at the top left of the image?",
    "Yes, there is. No, there is not.",
    "You are a helpful assistant. Please answer briefly.",
    "system user assistant",
]

LLAMA3_SPLIT_REGEX = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)


def _train_bpe(pre_tokenizer, vocab_size, alphabet, normalizer=None):
    tok = Tokenizer(models.BPE())
    if normalizer is not None:
        tok.normalizer = normalizer
    tok.pre_tokenizer = pre_tokenizer
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=2, special_tokens=[],
                                  initial_alphabet=alphabet, show_progress=False)
    tok.train_from_iterator(CORPUS * 4, trainer)
    state = json.loads(tok.to_str())
    vocab = state["model"]["vocab"]
    merges = [tuple(m) if isinstance(m, list) else tuple(m.split(" ")) for m in state["model"]["merges"]]
    return vocab, merges


def build_llama2_tokenizer(extra_tokens):
    """llava-1.5 / Llama-2 style: LlamaTokenizer (Metaspace, BPE with byte fallback), BOS added by the
    post-processor (TemplateProcessing "<s> $A"), `<image>` and `<pad>` as added special tokens after
    the vocabulary like llava-hf/llava-1.5-7b-hf (32000 <image>, 32001 <pad>)."""
    alphabet = sorted(set("".join(CORPUS).replace(" ", "▁")) | {"▁"})
    trained, merges = _train_bpe(pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
                                 vocab_size=160, alphabet=alphabet)
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for piece, _ in sorted(trained.items(), key=lambda kv: kv[1]):
        if piece not in vocab:
            vocab[piece] = len(vocab)
    tok = LlamaTokenizer(vocab=vocab, merges=merges, add_bos_token=True, add_eos_token=False, legacy=False,
                         unk_token="<unk>", bos_token="<s>", eos_token="</s>")
    tok.add_tokens(list(extra_tokens), special_tokens=True)
    tok.add_special_tokens({"pad_token": "<pad>"})
    return tok


def build_llama3_tokenizer(extra_tokens=()):
    """Llama-3 style tokenizer.json (PreTrainedTokenizerFast, i.e. TokenizersBackend in transformers 5):
    Split(llama-3 regex) + ByteLevel(use_regex=False), BPE with ignore_merges, ByteLevel decoder,
    post-processor Sequence[ByteLevel, TemplateProcessing("<|begin_of_text|> $A")]."""
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(LLAMA3_SPLIT_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
    ])
    vocab, merges = _train_bpe(pre, vocab_size=320, alphabet=pre_tokenizers.ByteLevel.alphabet())
    specials = ["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
                "<|finetune_right_pad_id|>"] + list(extra_tokens)
    tok = Tokenizer(models.BPE(vocab=vocab, merges=merges, ignore_merges=True))
    tok.normalizer = None
    tok.pre_tokenizer = pre
    tok.decoder = decoders.ByteLevel()
    tok.add_special_tokens(specials)
    bos_id = tok.token_to_id("<|begin_of_text|>")
    tok.post_processor = processors.Sequence([
        processors.ByteLevel(add_prefix_space=True, trim_offsets=False, use_regex=True),
        processors.TemplateProcessing(single="<|begin_of_text|> $A:0",
                                      pair="<|begin_of_text|> $A:0 <|begin_of_text|>:1 $B:1",
                                      special_tokens=[("<|begin_of_text|>", bos_id)]),
    ])
    return PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|begin_of_text|>", eos_token="<|eot_id|>",
                                   pad_token="<|finetune_right_pad_id|>", clean_up_tokenization_spaces=True,
                                   model_input_names=["input_ids", "attention_mask"])


QWEN2_REGEX = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""


def build_qwen2_tokenizer():
    """Qwen2Tokenizer (transformers 5 builds NFC + Split(qwen regex) + ByteLevel itself) from trained
    vocab/merges; specials like Qwen2-Instruct: bos None, unk None, eos <|im_end|>, pad <|endoftext|>."""
    pre = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_REGEX), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    vocab, merges = _train_bpe(pre, vocab_size=320, alphabet=pre_tokenizers.ByteLevel.alphabet(),
                               normalizer=normalizers.NFC())
    # Qwen2's added tokens follow the BPE vocabulary in the order <|endoftext|>, <|im_start|>, <|im_end|>
    # (151643, 151644, 151645); constructing with eos <|endoftext|> first gives that order, then the
    # Instruct models' eos <|im_end|> is set.
    tok = Qwen2Tokenizer(vocab=vocab, merges=merges, unk_token=None, bos_token=None, eos_token="<|endoftext|>",
                         pad_token="<|endoftext|>", extra_special_tokens=["<|im_start|>", "<|im_end|>"],
                         errors="replace", split_special_tokens=False)
    tok.eos_token = "<|im_end|>"
    ids = tok.convert_tokens_to_ids(["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
    assert ids == [len(vocab), len(vocab) + 1, len(vocab) + 2], ids
    return tok


# ---------------------------------------------------------------------------------------------
# Images
# ---------------------------------------------------------------------------------------------

def make_images(folder):
    folder.mkdir(parents=True, exist_ok=True)
    yy, xx = np.mgrid[0:48, 0:48]

    def rgb(h, w):
        y, x = yy[:h, :w], xx[:h, :w]
        r = (x * 255 // max(w - 1, 1)).astype(np.uint8)
        g = (y * 255 // max(h - 1, 1)).astype(np.uint8)
        b = (((x // 6 + y // 6) % 2) * 200 + 30).astype(np.uint8)
        a = np.stack([r, g, b], axis=-1)
        a[h // 4:h // 2, w // 5:w // 2] = (230, 40, 60)  # a red block
        a[(y - h * 2 // 3) ** 2 + (x - w * 2 // 3) ** 2 < (min(h, w) // 5) ** 2] = (20, 200, 90)  # a green disc
        return a

    files = {}
    # RGB PNG, non-square (landscape: wider than tall)
    Image.fromarray(rgb(28, 40), "RGB").save(folder / "rgb_40x28.png")
    files["rgb_40x28.png"] = "RGB PNG, 40x28 (w x h)"
    # JPEG (baseline, 4:2:0 chroma subsampling, quality 90), portrait
    Image.fromarray(rgb(44, 36), "RGB").save(folder / "photo_36x44.jpg", quality=90)
    files["photo_36x44.jpg"] = "RGB JPEG, 36x44, quality 90, 4:2:0"
    # RGBA PNG with partial transparency; colour kept under transparent pixels (convert('RGB') drops alpha)
    a = rgb(40, 32)
    alpha = np.full((40, 32), 255, np.uint8)
    alpha[:, :16] = (np.arange(16) * 17).astype(np.uint8)[None, :]  # 0..255 ramp on the left half
    alpha[30:, 20:] = 0  # a fully transparent block
    Image.fromarray(np.dstack([a, alpha]), "RGBA").save(folder / "rgba_32x40.png")
    files["rgba_32x40.png"] = "RGBA PNG, 32x40, alpha ramp + fully transparent block"
    # 8-bit grayscale
    g = ((xx[:34, :30] * 7 + yy[:34, :30] * 3) % 256).astype(np.uint8)
    Image.fromarray(g, "L").save(folder / "gray_30x34.png")
    files["gray_30x34.png"] = "L (8-bit grayscale) PNG, 30x34"
    # grayscale + alpha
    la = np.dstack([g[:34, :28], 255 - g[:34, :28]])
    Image.fromarray(la.astype(np.uint8), "LA").save(folder / "gray_alpha_28x34.png")
    files["gray_alpha_28x34.png"] = "LA PNG, 28x34"
    # palette image with a transparent index
    p = Image.fromarray(rgb(30, 36), "RGB").quantize(colors=16, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    p.save(folder / "palette_36x30.png", transparency=0)
    files["palette_36x30.png"] = "P (16-colour palette, index 0 transparent) PNG, 36x30"
    # 16-bit grayscale: mostly 0..~400 (Pillow's convert('RGB') clips I;16 at 255, it does not scale)
    v = (xx[:32, :32] * 8 + yy[:32, :32] * 4).astype(np.uint16)
    v[24:, 24:] = 65535
    v[:6, 26:] = 1000
    Image.fromarray(v).save(folder / "gray16_32x32.png")
    files["gray16_32x32.png"] = "I;16 (16-bit grayscale) PNG, 32x32, values 0..372 plus blocks of 1000 and 65535"
    return files


# ---------------------------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------------------------

def randomize(model, seed, std):
    """Deterministic re-initialisation: norms ~ 1 + 0.1 N, biases ~ 0.1 N, the rest ~ std N."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():  # tied parameters appear once
            noise = torch.randn(p.shape, generator=gen, dtype=torch.float32)
            is_norm = "norm" in name or "layrnorm" in name
            if is_norm and name.endswith("weight"):
                p.copy_(1.0 + 0.1 * noise)
            elif name.endswith("bias"):
                p.copy_(0.1 * noise if is_norm else 0.2 * noise)
            else:
                p.copy_(std * noise)


def rounded_copy(model, dtype):
    """A float32 copy of `model` whose parameters are rounded to `dtype` (buffers such as rope inv_freq stay
    float32, as from_pretrained(dtype=float32) recomputes them), to compare the reloaded folder against."""
    import copy
    clone = copy.deepcopy(model)
    with torch.no_grad():
        for p in clone.parameters():
            p.copy_(p.to(TORCH_DTYPES[dtype]).to(torch.float32))
    return clone.eval()


PROMPTS_LLAVA = [
    "What is shown in this image?",
    "Describe the colours and shapes, briefly!",
    "Is there a red square near the top?",
    "How many shapes are there? Answer in one word.",
]


def llava_case(name, *, tokenizer_style, template, image_size, patch_size, resize_shortest, vision_feature_layer,
               strategy, dtype, shard, text_kw, tie, save_original_format, images, seed):
    return dict(name=name, kind="llava", tokenizer_style=tokenizer_style, template=template, image_size=image_size,
                patch_size=patch_size, resize_shortest=resize_shortest, vision_feature_layer=vision_feature_layer,
                strategy=strategy, dtype=dtype, shard=shard, text_kw=text_kw, tie=tie,
                save_original_format=save_original_format, images=images, seed=seed)


CASES = [
    llava_case("llava-v5-default", tokenizer_style="llama2", template="llava-1.5", image_size=32, patch_size=8,
               resize_shortest=32, vision_feature_layer=-2, strategy="default", dtype="float32", shard=None,
               text_kw=dict(num_key_value_heads=4, rope_parameters={"rope_type": "default", "rope_theta": 10000.0}),
               tie=False, save_original_format=True, images=["rgb_40x28.png", "photo_36x44.jpg"], seed=1),
    llava_case("llava-v5-internal", tokenizer_style="llama2", template="llava-1.5", image_size=28, patch_size=7,
               resize_shortest=28, vision_feature_layer=-1, strategy="full", dtype="float32", shard=None,
               text_kw=dict(num_key_value_heads=4, rope_parameters={"rope_type": "default", "rope_theta": 10000.0}),
               tie=False, save_original_format=False, images=["gray_30x34.png", "rgba_32x40.png"], seed=2),
    llava_case("llava-v5-bf16-sharded", tokenizer_style="llama2", template="llava-1.5", image_size=32, patch_size=8,
               resize_shortest=40, vision_feature_layer=-2, strategy="default", dtype="bfloat16", shard="120KB",
               text_kw=dict(num_key_value_heads=2, rope_parameters={"rope_type": "default", "rope_theta": 250000.0}),
               tie=False, save_original_format=True, images=["gray_alpha_28x34.png", "palette_36x30.png"], seed=3),
    llava_case("llava-v5-f16-llama3rope", tokenizer_style="llama3", template="llava-1.5", image_size=32, patch_size=4,
               resize_shortest=32, vision_feature_layer=-2, strategy="default", dtype="float16", shard="120KB",
               text_kw=dict(num_key_value_heads=1, max_position_embeddings=512,
                            rope_parameters={"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                                             "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                             "original_max_position_embeddings": 16}),
               tie=True, save_original_format=True, images=["gray16_32x32.png", "rgb_40x28.png"], seed=4),
    # Text-only conversations: content is a plain string, as users pass it.
    dict(name="llama-v5-llama3", kind="llama", template="llama-3", dtype="float32", seed=5,
         conversations=[
             [{"role": "user", "content": "What is the capital of France?"}],
             [{"role": "system", "content": "You are a helpful assistant."},
              {"role": "user", "content": "  Tell me a story about a cat.  "},
              {"role": "assistant", "content": "The cat sat on the mat."},
              {"role": "user", "content": "And the dog?\n"}],
         ]),
    dict(name="qwen2-v5-chatml", kind="qwen2", template="chatml-qwen2", dtype="float32", seed=6,
         conversations=[
             [{"role": "user", "content": "Hello! Who are you?"}],
             [{"role": "system", "content": "Answer briefly."},
              {"role": "user", "content": "Describe a red circle."},
              {"role": "assistant", "content": "A red circle is round."},
              {"role": "user", "content": "And a blue square? Ünïcödé ok."}],
         ]),
]

TORCH_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


def llama3_text_kwargs(vocab, tok):
    return dict(vocab_size=vocab, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
                rms_norm_eps=1e-5, hidden_act="silu", bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
                pad_token_id=tok.pad_token_id)


def build_llava(case, model_dir):
    if case["tokenizer_style"] == "llama2":
        tok = build_llama2_tokenizer(["<image>"])
    else:
        tok = build_llama3_tokenizer(["<image>"])
    image_token_id = tok.convert_tokens_to_ids("<image>")
    vocab = len(tok)
    n_patches = (case["image_size"] // case["patch_size"]) ** 2
    seq = n_patches + (0 if case["strategy"] == "default" else 1)
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                              image_size=case["image_size"], patch_size=case["patch_size"], projection_dim=32,
                              hidden_act="quick_gelu", layer_norm_eps=1e-5)
    text = LlamaConfig(**{**llama3_text_kwargs(vocab, tok), "max_position_embeddings": 256, **case["text_kw"]},
                       tie_word_embeddings=case["tie"])
    config = LlavaConfig(vision_config=vision, text_config=text, image_token_id=image_token_id,
                         image_seq_length=seq, vision_feature_layer=case["vision_feature_layer"],
                         vision_feature_select_strategy=case["strategy"], projector_hidden_act="gelu",
                         tie_word_embeddings=case["tie"])
    torch.manual_seed(case["seed"])
    model = LlavaForConditionalGeneration(config).eval()
    randomize(model, case["seed"], std=0.3)
    if case["tie"]:
        assert model.lm_head.weight.data_ptr() == model.model.language_model.embed_tokens.weight.data_ptr()
    reference_model = rounded_copy(model, case["dtype"])
    model = model.to(TORCH_DTYPES[case["dtype"]])
    model.config.dtype = case["dtype"]

    image_processor = CLIPImageProcessor(size={"shortest_edge": case["resize_shortest"]},
                                         crop_size={"height": case["image_size"], "width": case["image_size"]})
    processor = LlavaProcessor(image_processor=image_processor, tokenizer=tok, patch_size=case["patch_size"],
                               vision_feature_select_strategy=case["strategy"], chat_template=TEMPLATES[case["template"]],
                               image_token="<image>", num_additional_image_tokens=1)
    kwargs = {"save_original_format": case["save_original_format"]}
    if case["shard"]:
        kwargs["max_shard_size"] = case["shard"]
    model.save_pretrained(model_dir, **kwargs)
    processor.save_pretrained(model_dir)
    return reference_model


def build_text(case, model_dir):
    if case["kind"] == "llama":
        tok = build_llama3_tokenizer()
        tok.chat_template = LLAMA3_TEMPLATE
        config = LlamaConfig(**{**llama3_text_kwargs(len(tok), tok), "num_key_value_heads": 2,
                                "max_position_embeddings": 512,
                                "rope_parameters": {"rope_type": "llama3", "rope_theta": 500000.0, "factor": 8.0,
                                                    "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                                                    "original_max_position_embeddings": 16}},
                             tie_word_embeddings=False)
        model_cls = LlamaForCausalLM
        # Meta-Llama-3-Instruct's generation_config: eos = [<|end_of_text|>, <|eot_id|>]
        gen = GenerationConfig(bos_token_id=tok.bos_token_id,
                               eos_token_id=[tok.convert_tokens_to_ids("<|end_of_text|>"), tok.eos_token_id])
    else:
        tok = build_qwen2_tokenizer()
        tok.chat_template = CHATML_TEMPLATE
        endoftext = tok.convert_tokens_to_ids("<|endoftext|>")
        config = Qwen2Config(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                             num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                             rms_norm_eps=1e-6, rope_parameters={"rope_type": "default", "rope_theta": 1000000.0},
                             tie_word_embeddings=True, bos_token_id=endoftext, eos_token_id=tok.eos_token_id,
                             pad_token_id=tok.pad_token_id, use_sliding_window=False)
        model_cls = Qwen2ForCausalLM
        # Qwen2-Instruct's generation_config: eos = [<|im_end|>, <|endoftext|>], pad <|endoftext|>
        gen = GenerationConfig(bos_token_id=endoftext, pad_token_id=endoftext,
                               eos_token_id=[tok.eos_token_id, endoftext])
    torch.manual_seed(case["seed"])
    model = model_cls(config).eval()
    randomize(model, case["seed"], std=0.3)
    model.generation_config = gen
    reference_model = rounded_copy(model, case["dtype"])
    model = model.to(TORCH_DTYPES[case["dtype"]])
    model.save_pretrained(model_dir)
    tok.save_pretrained(model_dir)
    return reference_model


# ---------------------------------------------------------------------------------------------
# References
# ---------------------------------------------------------------------------------------------

def llava_conversation(image_path, text):
    return [{"role": "user", "content": [{"type": "image", "path": str(image_path)}, {"type": "text", "text": text}]}]


def compute_llava_references(case, model_dir, images_dir):
    processor = AutoProcessor.from_pretrained(model_dir)
    model = LlavaForConditionalGeneration.from_pretrained(model_dir, dtype=torch.float32).eval()
    tensors, prompts = {}, []
    for i, image_name in enumerate(case["images"]):
        text = PROMPTS_LLAVA[(i + case["seed"]) % len(PROMPTS_LLAVA)]
        conversation = llava_conversation(images_dir / image_name, text)
        rendered = processor.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False)
        inputs = processor.apply_chat_template(conversation, add_generation_prompt=True, tokenize=True,
                                               return_dict=True, return_tensors="pt")
        with torch.no_grad():
            out = model(**inputs)
            feats = model.get_image_features(pixel_values=inputs["pixel_values"])
            feats = feats.pooler_output if hasattr(feats, "pooler_output") else feats
            feats = torch.cat(list(feats), 0) if isinstance(feats, (list, tuple)) else feats
            generated = model.generate(**inputs, max_new_tokens=8, do_sample=False)
        n = inputs["input_ids"].shape[1]
        tensors[f"input_ids.{i}"] = inputs["input_ids"].to(torch.int64).contiguous()
        tensors[f"pixel_values.{i}"] = inputs["pixel_values"].to(torch.float32).contiguous()
        tensors[f"logits.{i}"] = out.logits.to(torch.float32).contiguous()
        tensors[f"image_features.{i}"] = feats.to(torch.float32).reshape(-1, feats.shape[-1]).contiguous()
        tensors[f"generated_ids.{i}"] = generated[:, n:].to(torch.int64).contiguous()
        prompts.append({"index": i, "text": text, "image": image_name, "rendered": rendered,
                        "conversation": [{"role": "user", "content": [{"type": "image", "path": f"images/{image_name}"},
                                                                      {"type": "text", "text": text}]}],
                        "num_input_ids": n,
                        "num_image_tokens": int((inputs["input_ids"] == model.config.image_token_id).sum()),
                        "generated_text": processor.batch_decode(generated[:, n:], skip_special_tokens=False)[0]})
    return tensors, prompts


def bf16_compute_logits(case, model_dir, tensors):
    """What transformers computes from a BF16 checkpoint loaded with dtype=torch.bfloat16 (weights and
    activations in bf16): logits_bf16.i for each prompt's stored inputs. The Java project's fast BF16
    path (bf16 GEMM inputs, float32 elsewhere) is checked to be no further from the float32 reference
    than this is."""
    cls = LlavaForConditionalGeneration if case["kind"] == "llava" else AutoModelForCausalLM
    model = cls.from_pretrained(model_dir, dtype=torch.bfloat16).eval()
    out = {}
    for key in sorted(k for k in tensors if k.startswith("input_ids.")):
        i = key.split(".")[1]
        kwargs = {"input_ids": tensors[key]}
        if f"pixel_values.{i}" in tensors:
            kwargs["pixel_values"] = tensors[f"pixel_values.{i}"].to(torch.bfloat16)
        with torch.no_grad():
            out[f"logits_bf16.{i}"] = model(**kwargs).logits.to(torch.float32).contiguous()
    return out


def add_bf16_compute(out):
    """Adds logits_bf16.i to the existing BF16 cases' reference files, leaving everything else as it is."""
    out = Path(out)
    manifest = read_json(out / "cases.json")
    for entry in manifest["cases"]:
        if entry["dtype"] != "bfloat16":
            continue
        case = next(c for c in CASES if c["name"] == entry["name"])
        ref = out / entry["reference"]
        with safe_open(str(ref), "pt") as f:
            tensors = {k: f.get_tensor(k) for k in f.keys()}
            metadata = f.metadata()
        tensors = {k: v for k, v in tensors.items() if not k.startswith("logits_bf16.")}
        tensors.update(bf16_compute_logits(case, out / entry["folder"], tensors))
        tmp = ref.with_suffix(".tmp")
        save_file(tensors, str(tmp), metadata=metadata)
        tmp.replace(ref)
        print(f"{entry['name']}: logits_bf16 added")


def compute_text_references(case, model_dir):
    tok = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()
    tensors, prompts = {}, []
    for i, conversation in enumerate(case["conversations"]):
        text = conversation[-1]["content"]
        rendered = tok.apply_chat_template(conversation, add_generation_prompt=True, tokenize=False)
        inputs = tok.apply_chat_template(conversation, add_generation_prompt=True, tokenize=True, return_dict=True,
                                         return_tensors="pt")
        with torch.no_grad():
            out = model(**inputs)
            generated = model.generate(**inputs, max_new_tokens=8, do_sample=False)
        n = inputs["input_ids"].shape[1]
        tensors[f"input_ids.{i}"] = inputs["input_ids"].to(torch.int64).contiguous()
        tensors[f"logits.{i}"] = out.logits.to(torch.float32).contiguous()
        tensors[f"generated_ids.{i}"] = generated[:, n:].to(torch.int64).contiguous()
        # What plain tokenizer(rendered) gives with add_special_tokens=True (NOT what apply_chat_template does):
        with_special = tok(rendered, add_special_tokens=True, return_tensors="pt")["input_ids"]
        tensors[f"input_ids_add_special_tokens.{i}"] = with_special.to(torch.int64).contiguous()
        prompts.append({"index": i, "text": text, "image": None, "rendered": rendered,
                        "conversation": conversation, "num_input_ids": n,
                        "generated_text": tok.decode(generated[0, n:], skip_special_tokens=False)})
    return tensors, prompts


def compute_image_pixels(images_dir, processor_dir, files):
    processor = AutoProcessor.from_pretrained(processor_dir).image_processor
    tensors, info = {}, {}
    for name in files:
        path = images_dir / name
        opened = Image.open(path)
        mode = opened.mode
        pv = processor(Image.open(path), return_tensors="pt")["pixel_values"]
        rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)
        tensors[name] = pv.to(torch.float32).contiguous()
        tensors[f"rgb.{name}"] = torch.from_numpy(rgb.copy()).contiguous()
        info[name] = {"mode": mode, "size_wh": list(opened.size), "description": files[name],
                      "pixel_values_shape": list(pv.shape)}
    # One metadata entry only: safetensors writes several metadata keys in no fixed order.
    meta = {"images": info, "image_processor": processor.to_dict(), "image_processor_class": type(processor).__name__,
            "processor_config_from": str(processor_dir.relative_to(images_dir.parent)),
            "transformers": transformers.__version__}
    save_file(tensors, str(images_dir / "pixels.safetensors"),
              metadata={"pixels": json.dumps(meta, sort_keys=True, default=str)})
    return info, type(processor).__name__


# ---------------------------------------------------------------------------------------------
# Inspection helpers (for cases.json / NOTES.md)
# ---------------------------------------------------------------------------------------------

def weight_files(model_dir):
    return sorted(p.name for p in model_dir.glob("*.safetensors"))


def weight_keys(model_dir):
    keys, dtypes = {}, set()
    for f in weight_files(model_dir):
        with safe_open(str(model_dir / f), "pt") as sf:
            for k in sf.keys():
                keys[k] = f
                dtypes.add(str(sf.get_slice(k).get_dtype()))
    return keys, sorted(dtypes)


def key_pattern(key):
    return re.sub(r"\.\d+\.", ".*.", key)


def key_prefixes(keys):
    """Module prefixes: everything before '.layers.<n>.' / the leaf parameter name."""
    out = set()
    for k in keys:
        m = re.match(r"(.*?\.layers)\.\d+\.", k)
        out.add(m.group(1) + ".*" if m else k.rsplit(".", 1)[0])
    return sorted(out)


def read_json(path):
    with open(path) as f:
        return json.load(f)


def source_line(module, needle):
    """file:line of the first line of `module`'s source containing `needle` (to quote in NOTES.md)."""
    path = Path(inspect.getsourcefile(module))
    for no, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            rel = path.relative_to(Path(transformers.__file__).parent.parent)
            return f"{rel}:{no}", line.strip()
    return f"{path.name}:?", f"(not found: {needle})"


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------

def check_generation_varies(case_name, tensors):
    gen = torch.cat([v.flatten() for k, v in tensors.items() if k.startswith("generated_ids.")])
    argmax = torch.cat([v[0].argmax(-1) for k, v in tensors.items() if k.startswith("logits.")])
    if len(set(gen.tolist())) < 2 or len(set(argmax.tolist())) < 3:
        raise SystemExit(f"{case_name}: greedy tokens do not vary: {gen.tolist()} / {argmax.tolist()}")
    std = float(torch.cat([v.flatten() for k, v in tensors.items() if k.startswith("logits.")]).std())
    if std < 0.5:
        raise SystemExit(f"{case_name}: logits too flat (std {std})")
    return std


def verify_case(case, case_dir, images_dir):
    """Reload the folder from scratch and recompute; compare with the stored reference."""
    ref = load_file(str(case_dir / "reference.safetensors"))
    if case["kind"] == "llava":
        tensors, _ = compute_llava_references(case, case_dir / "model", images_dir)
    else:
        tensors, _ = compute_text_references(case, case_dir / "model")
    worst = 0.0
    for k, v in ref.items():
        w = tensors[k]
        if v.dtype.is_floating_point:
            worst = max(worst, float((v - w).abs().max()))
        elif not torch.equal(v, w):
            raise SystemExit(f"{case['name']}: {k} differs on reload")
    if worst > 1e-5:
        raise SystemExit(f"{case['name']}: reloaded logits differ by {worst}")
    # The tokenizer transformers loads must be exactly tokenizer.json (what a Java loader reads).
    model_dir = case_dir / "model"
    raw = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    hf = AutoTokenizer.from_pretrained(model_dir)
    if json.loads(raw.to_str()) != json.loads(hf.backend_tokenizer.to_str()):
        raise SystemExit(f"{case['name']}: loaded tokenizer differs from tokenizer.json")
    for sample in ["Héllo wörld 123 ünïcödé  spaces\n\nnew line", " leading space", "<image>x<image> y", "a\tb"]:
        for special in (False, True):
            if raw.encode(sample, add_special_tokens=special).ids != hf(sample, add_special_tokens=special)["input_ids"]:
                raise SystemExit(f"{case['name']}: tokenizer.json and transformers disagree on {sample!r}")
    return worst


def in_memory_check(model, case, tensors):
    """The reloaded folder's logits must equal those of the in-memory model (weights rounded to the saved dtype)."""
    diffs = []
    with torch.no_grad():
        for i in range(2):
            kw = {"input_ids": tensors[f"input_ids.{i}"]}
            if case["kind"] == "llava":
                kw["pixel_values"] = tensors[f"pixel_values.{i}"]
            logits = model(**kw).logits
            diffs.append(float((logits - tensors[f"logits.{i}"]).abs().max()))
    return max(diffs)


def main(out):
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    images_dir = out / "images"
    image_files = make_images(images_dir)

    manifest = {"transformers": transformers.__version__, "torch": torch.__version__,
                "tokenizers": tokenizers.__version__, "generator": "src/test/python/hf_fixtures.py",
                "cases": []}
    facts = {}
    for case in CASES:
        case_dir = out / case["name"]
        model_dir = case_dir / "model"
        model_dir.mkdir(parents=True)
        print(f"== {case['name']}")
        if case["kind"] == "llava":
            model = build_llava(case, model_dir)
            tensors, prompts = compute_llava_references(case, model_dir, images_dir)
        else:
            model = build_text(case, model_dir)
            tensors, prompts = compute_text_references(case, model_dir)
        if case["dtype"] == "bfloat16":
            tensors.update(bf16_compute_logits(case, model_dir, tensors))
        std = check_generation_varies(case["name"], tensors)
        mem_diff = in_memory_check(model, case, tensors)
        if mem_diff > 1e-4:
            raise SystemExit(f"{case['name']}: reloaded model differs from the in-memory one by {mem_diff}")
        meta = {"case": case["name"], "prompts": prompts, "transformers": transformers.__version__,
                "torch": torch.__version__}
        save_file(tensors, str(case_dir / "reference.safetensors"),
                  metadata={"reference": json.dumps(meta, ensure_ascii=False, sort_keys=True)})
        del model

        keys, stored_dtypes = weight_keys(model_dir)
        config = read_json(model_dir / "config.json")
        entry = {
            "name": case["name"],
            "kind": case["kind"],
            "folder": f"{case['name']}/model",
            "reference": f"{case['name']}/reference.safetensors",
            "dtype": case["dtype"],
            "stored_dtypes": stored_dtypes,
            "weight_files": weight_files(model_dir),
            "files": sorted(p.name for p in model_dir.iterdir()),
            "template": case["template"],
            "prompts": [{"text": p["text"], "image": p["image"], "rendered": p["rendered"],
                         "conversation": p["conversation"]} for p in prompts],
            "first_weight_keys": sorted(keys)[:6],
            "weight_key_prefixes": key_prefixes(keys),
            "weight_key_patterns": sorted({key_pattern(k) for k in keys}),
            "num_weight_keys": len(keys),
            "logits_std": round(std, 3),
            "generated_ids": [tensors[f"generated_ids.{i}"][0].tolist() for i in range(len(prompts))],
            "input_ids_lengths": [p["num_input_ids"] for p in prompts],
        }
        if case["kind"] == "llava":
            entry.update({
                "key_layout": ("save_pretrained default (save_original_format=True): legacy-style keys "
                               "'language_model.model.*', 'language_model.lm_head.weight', 'vision_tower.*' "
                               "(no 'vision_model.'), 'multi_modal_projector.*'") if case["save_original_format"]
                else ("save_original_format=False: internal transformers-5 module names 'model.language_model.*', "
                      "'model.vision_tower.*', 'model.multi_modal_projector.*', 'lm_head.weight'"),
                "save_original_format": case["save_original_format"],
                "vision_feature_layer": case["vision_feature_layer"],
                "vision_feature_select_strategy": case["strategy"],
                "image_size": case["image_size"], "patch_size": case["patch_size"],
                "image_token_index": config.get("image_token_index"),
                "image_seq_length": config.get("image_seq_length"),
                "tie_word_embeddings": case["tie"],
                "sharded": bool(case["shard"]),
                "num_image_tokens": [p["num_image_tokens"] for p in prompts],
            })
        else:
            entry.update({"key_layout": "'model.*' + 'lm_head.weight' (absent when tied)",
                          "tie_word_embeddings": config.get("tie_word_embeddings")})
        manifest["cases"].append(entry)
        facts[case["name"]] = {"keys": keys, "config": config}
        print(f"   keys {len(keys)} {entry['weight_files']} dtypes {stored_dtypes} logits std {std:.2f} "
              f"in-memory diff {mem_diff:.2e}")
        for p in prompts:
            print(f"   prompt {p['index']}: {p['rendered']!r} -> {p['num_input_ids']} ids, gen {p['generated_text']!r}")

    # Images: pixel values as CLIPImageProcessor (case 1's processor config) computes them.
    image_info, image_processor_class = compute_image_pixels(images_dir, out / CASES[0]["name"] / "model", image_files)
    manifest["images"] = {"folder": "images", "pixels": "images/pixels.safetensors",
                          "processor_config_from": f"{CASES[0]['name']}/model",
                          "image_processor_class_used": image_processor_class, "files": image_info}

    # Verify every folder by reloading from scratch.
    for case in CASES:
        worst = verify_case(case, out / case["name"], images_dir)
        print(f"verified {case['name']}: reload reproduces the stored reference (max abs diff {worst:.1e})")

    with open(out / "cases.json", "w") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False, sort_keys=False)
        f.write("\n")
    notes = write_notes(out, manifest, facts, image_processor_class)
    print(notes)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"total size {total / 1e6:.2f} MB")


def write_notes(out, manifest, facts, image_processor_class):
    L = []
    add = L.append
    add("# Checkpoint fixtures written by transformers " + transformers.__version__)
    add("")
    add(f"Generated by `src/test/python/hf_fixtures.py` with transformers {transformers.__version__}, "
        f"torch {torch.__version__}, tokenizers {tokenizers.__version__}. Regenerate with "
        "`/work/venv/bin/python src/test/python/hf_fixtures.py src/test/resources/hf-fixtures`.")
    add("Every fact below was read back from the written files (or, for code, located in the installed "
        "transformers source by this script).")
    add("")

    # (a) key layouts
    add("## (a) Weight key layout per case")
    add("")
    for c in manifest["cases"]:
        add(f"### {c['name']} ({c['kind']}, {c['dtype']}, files: {', '.join(c['weight_files'])})")
        add("")
        add(c["key_layout"])
        add("")
        add("Module prefixes as written:")
        add("")
        for p in c["weight_key_prefixes"]:
            add(f"- `{p}`")
        add("")
        keys = facts[c["name"]]["keys"]
        if c["kind"] == "llava":
            head = [k for k in keys if k.endswith("lm_head.weight")]
            add(f"lm_head: {('`' + head[0] + '`') if head else 'absent (tied to the embeddings)'}; "
                f"embeddings: `{[k for k in keys if k.endswith('embed_tokens.weight')][0]}`; "
                f"vision patch embedding: `{[k for k in keys if 'patch_embedding' in k][0]}`.")
        else:
            head = [k for k in keys if k.endswith("lm_head.weight")]
            add(f"lm_head: {('`' + head[0] + '`') if head else 'absent (tie_word_embeddings: true)'}.")
        add("")
        add("<details><summary>All key patterns (layer numbers as *)</summary>")
        add("")
        add("```")
        add("\n".join(c["weight_key_patterns"]))
        add("```")
        add("</details>")
        add("")
        if any(f.endswith("index.json") for f in c["files"]):
            idx = read_json(out / c["folder"] / "model.safetensors.index.json")
            add(f"Sharded: `model.safetensors.index.json` metadata = `{json.dumps(idx['metadata'])}`, "
                f"{len(set(idx['weight_map'].values()))} shards; weight_map keys use the same names as the shards.")
        add("")

    # (b) image processor settings
    add("## (b) Where the image-processor settings sit")
    add("")
    c1 = out / manifest["cases"][0]["folder"]
    files = sorted(p.name for p in c1.iterdir())
    add(f"Files of `{manifest['cases'][0]['folder']}`: {', '.join('`' + f + '`' for f in files)}.")
    add("")
    pc = read_json(c1 / "processor_config.json") if (c1 / "processor_config.json").exists() else None
    add(f"- `preprocessor_config.json` exists: {(c1 / 'preprocessor_config.json').exists()}")
    add(f"- `processor_config.json` exists: {pc is not None}")
    add(f"- `chat_template.jinja` exists: {(c1 / 'chat_template.jinja').exists()}; "
        f"`chat_template.json` exists: {(c1 / 'chat_template.json').exists()}")
    if pc is not None:
        add("")
        add("`processor_config.json` as written:")
        add("")
        add("```json")
        add(json.dumps(pc, indent=2))
        add("```")
    add("")
    add(f"The image processor class actually instantiated here was `{image_processor_class}` (torchvision is not "
        "installed in this venv, so `CLIPImageProcessor` falls back to the PIL backend `CLIPImageProcessorPil`; "
        "the JSON still says `\"image_processor_type\": \"CLIPImageProcessor\"`). With torchvision installed, "
        "transformers 5 uses the torchvision backend, whose bicubic resize can differ slightly from PIL's.")
    add("")

    # (c) rope
    add("## (c) Rope theta / scaling in config.json")
    add("")
    for c in manifest["cases"]:
        cfg = facts[c["name"]]["config"]
        where = "text_config.rope_parameters" if "text_config" in cfg else "rope_parameters (top level)"
        rp = cfg["text_config"].get("rope_parameters") if "text_config" in cfg else cfg.get("rope_parameters")
        legacy = [k for k in ("rope_theta", "rope_scaling") if k in cfg or k in cfg.get("text_config", {})]
        add(f"- {c['name']}: `{where}` = `{json.dumps(rp, sort_keys=True)}`"
            + (f"; legacy keys also present: {legacy}" if legacy else "; no `rope_theta` / `rope_scaling` keys"))
    add("")

    # (d) tokenizer config
    add("## (d) tokenizer_config.json, special tokens, chat template file")
    add("")
    for c in manifest["cases"]:
        d = out / c["folder"]
        tc = read_json(d / "tokenizer_config.json")
        shown = {k: v for k, v in tc.items() if k not in ("model_max_length",)}
        add(f"### {c['name']}")
        add("")
        add("```json")
        add(json.dumps(shown, indent=2, ensure_ascii=False))
        add("```")
        tj = read_json(d / "tokenizer.json")
        add(f"tokenizer.json: model `{tj['model']['type']}` (byte_fallback={tj['model'].get('byte_fallback')}, "
            f"ignore_merges={tj['model'].get('ignore_merges')}), normalizer "
            f"`{(tj['normalizer'] or {}).get('type')}`, pre_tokenizer `{json.dumps(tj['pre_tokenizer'])[:160]}`, "
            f"post_processor `{json.dumps(tj['post_processor'])[:300]}`; added tokens: "
            + ", ".join(f"{t['id']} `{t['content']}`" for t in tj["added_tokens"]))
        add("")
        add(f"Chat template file: {', '.join(p.name for p in sorted(d.glob('chat_template*')))}; "
            f"'chat_template' key in tokenizer_config.json: {'chat_template' in tc}; in processor_config.json: "
            f"{'chat_template' in read_json(d / 'processor_config.json') if (d / 'processor_config.json').exists() else 'n/a'}.")
        add("")
    add("")

    # (e) special token rules
    add("## (e) Special tokens after rendering a chat template")
    add("")
    from transformers import processing_utils, tokenization_utils_base
    loc1, l1 = source_line(tokenization_utils_base, "add_special_tokens=False,")
    loc2, l2 = source_line(processing_utils,
                           "if self.tokenizer.bos_token is not None and single_prompt.startswith(self.tokenizer.bos_token):")
    loc3, l3 = source_line(processing_utils, 'processor_kwargs["add_special_tokens"] = False')
    loc4, l4 = source_line(processing_utils, "if isinstance(content, str):")
    loc5, l5 = source_line(transformers.utils.chat_template_utils, "rendered_chat = compiled_template.render(")
    add("- `tokenizer.apply_chat_template(..., tokenize=True)` renders the template, then tokenizes with "
        "special tokens OFF, always:")
    add(f"  `{loc1}`: `{l1}` (inside `out = self(rendered_chat, ..., add_special_tokens=False, ...)`). "
        "So only the BOS the template writes is there; the post-processor's BOS is never added. "
        "Note also that `return_dict` defaults to True in 5.x (it returns a BatchEncoding).")
    add("- `ProcessorMixin.apply_chat_template(..., tokenize=True)` calls the processor (`self(text=prompt, "
        "images=...)`), whose tokenizer call uses the default `add_special_tokens=True`, except when the rendered "
        "prompt already starts with the BOS string:")
    add(f"  `{loc2}`: `{l2}`")
    add(f"  `{loc3}`: `{l3}`")
    add("  So: template without BOS (llava-1.5) -> the post-processor adds BOS; template that writes BOS -> no "
        "second BOS; tokenizer with bos_token None (Qwen2) -> add_special_tokens stays True (post-processor "
        "decides). The check is a plain string prefix test on the rendered text (first conversation only when "
        "batched), not a token test.")
    # Exercise the processor rule with case 1's processor: llava-1.5 template as saved vs the same template
    # prefixed with {{ bos_token }}.
    first = manifest["cases"][0]
    proc = AutoProcessor.from_pretrained(out / first["folder"])
    conv = llava_conversation(out / "images" / first["prompts"][0]["image"], first["prompts"][0]["text"])
    bos = proc.tokenizer.bos_token_id
    plain = proc.apply_chat_template(conv, add_generation_prompt=True, tokenize=True, return_dict=True)["input_ids"][0]
    with_bos = proc.apply_chat_template(conv, chat_template="{{ bos_token }}" + LLAVA15_TEMPLATE,
                                        add_generation_prompt=True, tokenize=True, return_dict=True)["input_ids"][0]
    add(f"  Verified with `{first['name']}`'s processor: llava-1.5 template -> ids start {list(plain[:3])} "
        f"(BOS {bos} from the post-processor, {list(plain).count(bos)} BOS in total); the same template prefixed "
        f"with `{{{{ bos_token }}}}` -> ids start {list(with_bos[:3])} ({list(with_bos).count(bos)} BOS in total). "
        "(The token after BOS differs too: the Metaspace pre-tokenizer with prepend_scheme `first` adds `\u2581` "
        "only to text at offset 0, so `USER` right after a literal `<s>` gets no `\u2581` prefix.)")
    add("- Content form: both paths pass `message['content']` to the Jinja template unchanged "
        f"(`{loc5}`: `{l5}`, with `messages=chat`). Neither path converts a string to a list of parts "
        "or a list of parts to a string. The processor only reads list content to collect images "
        f"(`{loc4}`: `{l4}` -> `continue`), and rewrites OpenAI-style `image_url` parts to `image` parts. "
        "Text-only messages therefore reach the template as strings (ChatML / Llama-3 templates need that), "
        "multimodal ones as lists of {type: image|text} dicts (the llava-1.5 template needs that).")
    add("- Images for `processor.apply_chat_template(tokenize=True)` must be given in the part itself "
        "(`{\"type\": \"image\", \"path\"|\"url\"|\"image\": ...}`); a bare `{\"type\": \"image\"}` renders "
        "`<image>` but loads no image, and the `<image>` token is then not expanded. Paths/URLs go through "
        "`transformers.image_utils.load_image`, which applies `ImageOps.exif_transpose` and `convert(\"RGB\")`.")
    llama = next(c for c in manifest["cases"] if c["kind"] == "llama")
    ref = load_file(str(out / llama["reference"]))
    a, b = ref["input_ids.0"][0].tolist(), ref["input_ids_add_special_tokens.0"][0].tolist()
    add(f"- Verified in `{llama['name']}`: apply_chat_template ids start `{a[:4]}` (one BOS); "
        f"`tokenizer(rendered)` with add_special_tokens=True would start `{b[:4]}` "
        f"({'two BOS' if b[:2] == [a[0], a[0]] else 'see reference'}); both are stored "
        "(`input_ids.i`, `input_ids_add_special_tokens.i`).")
    add("")

    # (f) surprises
    add("## (f) Other facts and surprises")
    add("")
    cfg1 = facts[manifest["cases"][0]["name"]]["config"]
    add(f"- LLaVA config.json says `image_token_index` (= {cfg1.get('image_token_index')}); "
        f"`image_token_id` present: {'image_token_id' in cfg1}. LlavaConfig maps the attribute `image_token_id` "
        "to `image_token_index` (attribute_map), so the JSON key is `image_token_index`.")
    add(f"- dtype key: top-level `dtype` = `{cfg1.get('dtype')}` (`torch_dtype` present: {'torch_dtype' in cfg1}); "
        f"text_config has dtype: {'dtype' in cfg1.get('text_config', {})}. BF16/F16 cases: "
        + ", ".join(f"{c['name']} dtype `{facts[c['name']]['config'].get('dtype')}`"
                    for c in manifest["cases"] if c["dtype"] != "float32") + ".")
    add("- Default `save_pretrained` of LlavaForConditionalGeneration writes neither the 4.x layout "
        "(`vision_tower.vision_model.*`) nor the internal 5.x layout: it writes `language_model.model.*`, "
        "`language_model.lm_head.weight`, `multi_modal_projector.*` and `vision_tower.embeddings.*` / "
        "`vision_tower.encoder.*` / `vision_tower.pre_layrnorm.*` / `vision_tower.post_layernorm.*` "
        "(the CLIP `vision_model.` level is gone, because CLIPVisionModel itself no longer has it in 5.x). "
        "`save_original_format=False` writes the module names (`model.vision_tower.*`, `model.language_model.*`, "
        "`model.multi_modal_projector.*`, `lm_head.weight`). Both reload with from_pretrained.")
    tied = next(c for c in manifest["cases"] if c["kind"] == "llava" and c["tie_word_embeddings"])
    add(f"- Tied LLaVA ({tied['name']}): config top-level tie_word_embeddings = "
        f"{facts[tied['name']]['config'].get('tie_word_embeddings')}, text_config.tie_word_embeddings = "
        f"{facts[tied['name']]['config']['text_config'].get('tie_word_embeddings')}; no lm_head key is written.")
    add(f"- LlavaProcessor expands each `<image>` to (crop/patch)^2 + num_additional_image_tokens(1) - 1 tokens "
        "for strategy `default` (+0 for `full`), e.g. "
        + ", ".join(f"{c['name']}: {c['num_image_tokens'][0]}" for c in manifest["cases"] if c["kind"] == "llava")
        + ". `patch_size`, `vision_feature_select_strategy`, `num_additional_image_tokens` and `image_token` sit in "
          "processor_config.json next to the `image_processor` object.")
    add("- Pillow `convert(\"RGB\")`: RGBA/LA drop alpha (no compositing on white), P maps through the palette "
        "(transparency ignored), I;16 is clipped to 0..255 (values >= 255 become 255; not scaled by 1/257). "
        "See images/pixels.safetensors `rgb.<file>`.")
    add("- JPEG decoding: the RGB bytes are libjpeg's (Pillow) output for a 4:2:0 file; other decoders may "
        "differ by a few levels in chroma upsampling.")
    add("- Generation stops early when an eos id is produced (Llama-3: eos [<|end_of_text|>, <|eot_id|>]; Qwen2: "
        "[<|im_end|>, <|endoftext|>] from generation_config.json); generated_ids.i may then be shorter than 8.")
    qcfg = facts[next(c["name"] for c in manifest["cases"] if c["kind"] == "qwen2")]["config"]
    add(f"- Qwen2 config.json has no `head_dim` (present: {'head_dim' in qcfg}) and no `attention_bias` key "
        "(q/k/v biases are always there: `self_attn.{q,k,v}_proj.bias`, o_proj has none); it writes "
        f"`layer_types` = {qcfg.get('layer_types')}, `use_sliding_window` = {qcfg.get('use_sliding_window')}, "
        f"`sliding_window` = {qcfg.get('sliding_window')}. Llama configs write `head_dim` explicitly.")
    add("- Qwen2 tokenizer.json: transformers 5's Qwen2Tokenizer writes NFC normalizer, Split(regex)+ByteLevel "
        "pre-tokenizer and a TemplateProcessing post-processor that adds nothing (`$A` only; bos_token is null).")
    add("- AutoTokenizer on a LLaVA folder returns `TokenizersBackend` even though tokenizer_config.json says "
        "`LlamaTokenizer`: model_type `llava` is in MODELS_WITH_INCORRECT_HUB_TOKENIZER_CLASS "
        "(models/auto/tokenization_auto.py), so tokenizer.json is used as written. For every case the reloaded "
        "tokenizer's backend JSON equals tokenizer.json and encodes like `tokenizers.Tokenizer.from_file` "
        "(checked by this script).")
    add("- `reference.safetensors` metadata key `reference` holds JSON: per prompt the text, image file, "
        "rendered template text, number of input ids, number of image tokens and decoded continuation.")
    add("")
    text = "\n".join(L) + "\n"
    (out / "NOTES.md").write_text(text)
    return text


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--add-bf16-compute":
        add_bf16_compute(sys.argv[2])
    elif len(sys.argv) != 2:
        raise SystemExit(__doc__)
    else:
        main(sys.argv[1])
