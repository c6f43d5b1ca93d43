"""Reference outputs of HF transformers for models this project writes.

Run with torch and transformers installed (CPU is enough):

    python src/test/python/hf_reference.py MODEL_DIR IMAGE PROMPT OUT.safetensors

Loads MODEL_DIR with LlavaForConditionalGeneration and AutoProcessor exactly as a user of
transformers would, renders PROMPT through the model's own chat template, and saves the input ids,
pixel values, logits and every decoder hidden state (float32) to OUT.safetensors. The Java tests
compare their own tokenization, preprocessing and forward pass against this file.
"""
import sys

import torch
from PIL import Image
from safetensors.torch import save_file
from transformers import AutoProcessor, LlavaForConditionalGeneration


def main(model_dir, image_path, prompt, out):
    torch.manual_seed(0)
    model = LlavaForConditionalGeneration.from_pretrained(model_dir, dtype=torch.float32).eval()
    processor = AutoProcessor.from_pretrained(model_dir)
    conversation = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": prompt}]}]
    text = processor.apply_chat_template(conversation, add_generation_prompt=True)
    image = Image.open(image_path).convert("RGB")
    inputs = processor(images=image, text=text, return_tensors="pt")
    with torch.no_grad():
        result = model(**inputs, output_hidden_states=True)
        generated = model.generate(**inputs, max_new_tokens=6, do_sample=False)
    tensors = {
        "input_ids": inputs["input_ids"].to(torch.int64).contiguous(),
        "pixel_values": inputs["pixel_values"].to(torch.float32).contiguous(),
        "logits": result.logits.to(torch.float32).contiguous(),
        "generated_ids": generated[:, inputs["input_ids"].shape[1]:].to(torch.int64).contiguous(),
    }
    for i, h in enumerate(result.hidden_states):
        tensors[f"hidden_states.{i}"] = h.to(torch.float32).contiguous()
    save_file(tensors, out, metadata={"prompt": prompt, "rendered": text,
                                      "transformers": __import__("transformers").__version__,
                                      "torch": torch.__version__})
    print("rendered:", repr(text))
    print("input ids:", inputs["input_ids"].shape, "logits:", result.logits.shape)
    print("generated:", processor.batch_decode(tensors["generated_ids"], skip_special_tokens=True))


if __name__ == "__main__":
    main(*sys.argv[1:5])
