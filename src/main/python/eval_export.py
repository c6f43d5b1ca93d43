#!/usr/bin/env python3
"""Answers an evaluation set with a model folder in Hugging Face transformers, as `lvlm eval` does in Java.

    eval_export.py MODEL_DIR [--data samples/shapes-eval/eval.jsonl] [--items N] [--max-new-tokens 8]

Loads MODEL_DIR the way a user of an export would: AutoModelForImageTextToText with trust_remote_code=True
when its config.json names custom code in auto_map (an export with low-rank factors, dropped sub-layers or
visual-token pruning), else LlavaForConditionalGeneration. Each item (JSONL: image, prompt, answer, type) is
rendered through the folder's chat template and processor and answered greedily in float32 on the CPU; an
answer counts when it equals the expected one after trimming, lower-casing and dropping trailing . ! ? ,
(the Java Evaluator's rule). Prints one JSON object: the class used, versions, accuracy overall and per type.
"""
import argparse
import json
import os
import sys


def normalize(s):
    t = s.strip().lower()
    while t and t[-1] in ".!?,":
        t = t[:-1].strip()
    return t


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model")
    parser.add_argument("--data", default="samples/shapes-eval/eval.jsonl")
    parser.add_argument("--items", type=int, default=None)
    parser.add_argument("--max-new-tokens", type=int, default=8)
    args = parser.parse_args()

    import torch
    import transformers
    from PIL import Image
    from transformers import AutoModelForImageTextToText, AutoProcessor, LlavaForConditionalGeneration

    config = json.load(open(os.path.join(args.model, "config.json")))
    if "AutoModelForImageTextToText" in config.get("auto_map", {}):
        model = AutoModelForImageTextToText.from_pretrained(args.model, trust_remote_code=True, dtype=torch.float32)
    else:
        model = LlavaForConditionalGeneration.from_pretrained(args.model, dtype=torch.float32)
    model.eval()
    processor = AutoProcessor.from_pretrained(args.model)
    base = os.path.dirname(os.path.abspath(args.data))
    with open(args.data) as f:
        items = [json.loads(line) for line in f if line.strip()]
    if args.items is not None:
        items = items[: args.items]
    per_type = {}
    correct = 0
    for item in items:
        conversation = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": item["prompt"]}]}]
        text = processor.apply_chat_template(conversation, add_generation_prompt=True)
        image = Image.open(os.path.join(base, item["image"])).convert("RGB")
        inputs = processor(images=image, text=text, return_tensors="pt")
        with torch.no_grad():
            out = model.generate(**inputs, max_new_tokens=args.max_new_tokens, do_sample=False)
        answer = processor.batch_decode(out[:, inputs["input_ids"].shape[1]:], skip_special_tokens=True)[0]
        ok = normalize(answer) == normalize(item["answer"])
        correct += ok
        kind = item.get("type", "")
        t = per_type.setdefault(kind, [0, 0])
        t[0] += ok
        t[1] += 1
    json.dump({
        "model": args.model,
        "class": type(model).__name__,
        "transformers": transformers.__version__,
        "torch": torch.__version__,
        "items": len(items),
        "correct": correct,
        "accuracy": correct / len(items) if items else 0.0,
        "per_type": {k: {"correct": v[0], "items": v[1]} for k, v in sorted(per_type.items())},
    }, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
