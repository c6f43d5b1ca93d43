"""Loads compressed models exported by LVLM Workbench in HF transformers and answers with them.

    python src/test/python/export_check.py probe
    python src/test/python/export_check.py CASES.json OUT.json

`probe` prints the versions of python, torch and transformers as JSON (exit 1 when one is missing).
Otherwise CASES.json lists exports, each with how to load it ("plain": LlavaForConditionalGeneration;
"auto": AutoModelForImageTextToText with trust_remote_code=True), and evaluation items with the
Java engine's input ids, greedy answer and the logits it produced at every generation step. For each
item this script builds the inputs with the export's own AutoProcessor and chat template, generates
greedily in float32 on the CPU, then again with the end of sequence barred (min_new_tokens) so that
every run takes max_new_tokens steps, and writes what it found to OUT.json: the loaded class, missing
and unexpected checkpoint keys, whether the input ids agree, both answers, and the largest absolute
difference of the raw logits to the Java engine's over every step. The Java test
(TransformersExportTest) judges.
"""
import json
import platform
import sys


def probe():
    try:
        import PIL  # noqa: F401
        import safetensors  # noqa: F401
        import torch
        import transformers
    except ImportError as e:
        print(json.dumps({"error": str(e)}))
        sys.exit(1)
    print(json.dumps({"python": platform.python_version(), "torch": torch.__version__,
                      "transformers": transformers.__version__}))


def check(cases_file, out_file):
    import torch
    import transformers
    from PIL import Image
    from transformers import AutoModelForImageTextToText, AutoProcessor, LlavaForConditionalGeneration

    torch.manual_seed(0)
    torch.set_num_threads(2)
    spec = json.load(open(cases_file))
    results = []
    for case in spec["cases"]:
        folder = case["folder"]
        if case["load"] == "auto":
            model, info = AutoModelForImageTextToText.from_pretrained(
                folder, trust_remote_code=True, dtype=torch.float32, output_loading_info=True)
        else:
            model, info = LlavaForConditionalGeneration.from_pretrained(
                folder, dtype=torch.float32, output_loading_info=True)
        model.eval()
        processor = AutoProcessor.from_pretrained(folder)
        items = []
        for item in case["items"]:
            conversation = [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": item["prompt"]}]}]
            text = processor.apply_chat_template(conversation, add_generation_prompt=True)
            image = Image.open(item["image"]).convert("RGB")
            inputs = processor(images=image, text=text, return_tensors="pt")
            ids = inputs["input_ids"][0].tolist()
            with torch.no_grad():
                greedy = model.generate(**inputs, max_new_tokens=spec["max_new_tokens"], do_sample=False)
                # Past the end of sequence too (its token barred), keeping the raw logits of every pass.
                forced = model.generate(**inputs, max_new_tokens=spec["max_new_tokens"],
                                        min_new_tokens=spec["max_new_tokens"], do_sample=False,
                                        output_logits=True, return_dict_in_generate=True)
            prompt_length = inputs["input_ids"].shape[1]
            new_ids = greedy[0, prompt_length:].tolist()
            expected = item["logits"]
            worst = 0.0 if len(expected) == len(forced.logits) else float("inf")
            for s in range(min(len(expected), len(forced.logits))):
                ours = forced.logits[s][0].to(torch.float32)
                theirs = torch.tensor(expected[s], dtype=torch.float32)
                worst = max(worst, float((ours - theirs).abs().max()))
            items.append({
                "input_ids_equal": ids == item["input_ids"],
                "input_ids": ids,
                "new_ids": new_ids,
                "answer": processor.batch_decode([new_ids], skip_special_tokens=True)[0],
                "forced_ids": forced.sequences[0, prompt_length:].tolist(),
                "max_logit_diff": worst,
            })
        results.append({
            "name": case["name"],
            "class": type(model).__name__,
            "missing_keys": sorted(info.get("missing_keys", [])),
            "unexpected_keys": sorted(info.get("unexpected_keys", [])),
            "mismatched_keys": [str(k) for k in info.get("mismatched_keys", [])],
            "items": items,
        })
    json.dump({"transformers": transformers.__version__, "torch": torch.__version__, "cases": results},
              open(out_file, "w"), indent=1)


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "probe":
        probe()
    elif len(sys.argv) == 3:
        check(sys.argv[1], sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
