#!/usr/bin/env python3
"""The transformers side of `lvlm bench`: one measurement per process, one JSON line on stdout.

    bench_transformers.py probe
    bench_transformers.py run --model DIR --inputs FILE --dtype float32|bfloat16 --attn eager|sdpa \
        --new-tokens N --threads N
    bench_transformers.py roofline --threads N [--gemm-n 2048] [--matvec-mb 768]

`run` loads the folder with LlavaForConditionalGeneration.from_pretrained, reads the token ids and pixel
values the Java side wrote (inputs.safetensors: input_ids int64 [1, T], pixel_values float32 [1, 3, H, W]
when the prompt has an image), runs the prefill with logits_to_keep=1, then a greedy loop over the KV
cache for exactly --new-tokens tokens (end-of-sequence ignored), as generate() does. It reports the load
time (from_pretrained only; importing torch and transformers is reported apart), prefill and decode times,
the tokens, and the process's peak resident memory (VmHWM).

`roofline` measures this machine with torch: f32 and bf16 GEMM (n x n x n), and f32 and bf16 mat-vec
bandwidth ([1, 2048] x [5632, 2048]^T over weights cycling through --matvec-mb megabytes, so caches do
not help).

Each result is printed as one line `BENCH-RESULT {json}`; nothing is ever made up: a failure is a
non-zero exit with the reason on stderr.
"""
import argparse
import json
import os
import statistics
import sys
import time

T_START = time.perf_counter()


def peak_rss_bytes():
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def emit(result):
    sys.stdout.write("BENCH-RESULT " + json.dumps(result, sort_keys=True) + "\n")
    sys.stdout.flush()


def probe(_args):
    import torch
    import transformers
    import safetensors
    emit({"python": sys.version.split()[0], "torch": torch.__version__, "transformers": transformers.__version__,
          "safetensors": safetensors.__version__, "threads_default": torch.get_num_threads()})


def run(args):
    import torch
    from safetensors.torch import load_file
    from transformers import LlavaForConditionalGeneration
    import transformers

    torch.set_num_threads(args.threads)
    imported = time.perf_counter()
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16}[args.dtype]
    inputs = load_file(args.inputs)
    ids = inputs["input_ids"].to(torch.long)
    pixels = inputs.get("pixel_values")
    if pixels is not None:
        pixels = pixels.to(dtype)

    t0 = time.perf_counter()
    model = LlavaForConditionalGeneration.from_pretrained(args.model, dtype=dtype, attn_implementation=args.attn)
    model.eval()
    load_s = time.perf_counter() - t0
    rss_after_load = peak_rss_bytes()

    tokens = []
    with torch.inference_mode():
        t1 = time.perf_counter()
        out = model(input_ids=ids, pixel_values=pixels, use_cache=True, logits_to_keep=1)
        token = int(out.logits[0, -1].float().argmax())
        t2 = time.perf_counter()
        tokens.append(token)
        cache = out.past_key_values
        for _ in range(args.new_tokens - 1):
            step = torch.tensor([[token]], dtype=torch.long)
            out = model(input_ids=step, past_key_values=cache, use_cache=True, logits_to_keep=1)
            cache = out.past_key_values
            token = int(out.logits[0, -1].float().argmax())
            tokens.append(token)
        t3 = time.perf_counter()
    emit({"side": "transformers", "dtype": args.dtype, "attn": args.attn, "threads": torch.get_num_threads(),
          "import_s": imported - T_START, "load_s": load_s, "prefill_s": t2 - t1, "decode_s": t3 - t2,
          "prompt_tokens": int(ids.shape[1]), "new_tokens": len(tokens), "tokens": tokens,
          "images": 0 if pixels is None else int(pixels.shape[0]),
          "rss_after_load_bytes": rss_after_load, "peak_rss_bytes": peak_rss_bytes(),
          "torch": torch.__version__, "transformers": transformers.__version__})


def timed(fn, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def roofline(args):
    import torch
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    n = args.gemm_n
    result = {"side": "transformers", "threads": torch.get_num_threads(), "torch": torch.__version__,
              "gemm_n": n}
    with torch.inference_mode():
        for name, dt in (("f32", torch.float32), ("bf16", torch.bfloat16)):
            a = torch.randn(n, n, dtype=dt)
            b = torch.randn(n, n, dtype=dt)
            for _ in range(2):
                torch.matmul(a, b)
            s = timed(lambda: torch.matmul(a, b), args.gemm_reps)
            result["gemm_" + name + "_gflops"] = 2.0 * n ** 3 / s / 1e9
            del a, b

        rows, cols = 5632, 2048
        for name, dt in (("f32", torch.float32), ("bf16", torch.bfloat16)):
            per = rows * cols * (4 if dt == torch.float32 else 2)
            count = max(2, -(-args.matvec_mb * 1_000_000 // per))
            weights = [torch.randn(rows, cols, dtype=dt) for _ in range(count)]
            x = torch.randn(1, cols, dtype=dt)

            def cycle():
                for w in weights:
                    F.linear(x, w)
            cycle()
            s = timed(cycle, args.matvec_reps)
            result["matvec_" + name + "_gbps"] = count * per / s / 1e9
            result["matvec_" + name + "_bytes"] = count * per
            del weights
    result["peak_rss_bytes"] = peak_rss_bytes()
    emit(result)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="mode", required=True)
    sub.add_parser("probe")
    r = sub.add_parser("run")
    r.add_argument("--model", required=True)
    r.add_argument("--inputs", required=True)
    r.add_argument("--dtype", choices=["float32", "bfloat16"], required=True)
    r.add_argument("--attn", choices=["eager", "sdpa"], default="eager")
    r.add_argument("--new-tokens", type=int, required=True)
    r.add_argument("--threads", type=int, default=os.cpu_count())
    f = sub.add_parser("roofline")
    f.add_argument("--threads", type=int, default=os.cpu_count())
    f.add_argument("--gemm-n", type=int, default=2048)
    f.add_argument("--gemm-reps", type=int, default=10)
    f.add_argument("--matvec-mb", type=int, default=768)
    f.add_argument("--matvec-reps", type=int, default=5)
    args = p.parse_args()
    {"probe": probe, "run": run, "roofline": roofline}[args.mode](args)


if __name__ == "__main__":
    main()
