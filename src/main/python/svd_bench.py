#!/usr/bin/env python3
"""Times torch.linalg.svdvals on a random matrix: the reference for core.linalg.SingularValues.

    svd_bench.py [--rows 4096] [--cols 11008] [--dtype float32|float64] [--threads N] [--seed 0]

Draws a standard Gaussian rows x cols matrix (not timed), computes its singular values once
(torch.set_num_threads(N), N defaulting to the machine's cores) and prints one line, BENCH-RESULT and JSON:
{"seconds": ..., "threads": ..., "torch": ..., "rows": ..., "cols": ..., "dtype": ..., "sigma_max": ...}.
The Java side's figure for the same shape comes from SingularValues.timeSeconds(rows, cols, seed).
"""
import argparse
import json
import os
import time


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=4096)
    parser.add_argument("--cols", type=int, default=11008)
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(args.seed)
    a = torch.randn(args.rows, args.cols, generator=generator, dtype=getattr(torch, args.dtype))
    start = time.perf_counter()
    sigma = torch.linalg.svdvals(a)
    seconds = time.perf_counter() - start
    # The bench reads the one line that starts with BENCH-RESULT (as bench_transformers.py prints it).
    print("BENCH-RESULT " + json.dumps({"seconds": round(seconds, 3), "threads": torch.get_num_threads(), "torch": torch.__version__,
                      "rows": args.rows, "cols": args.cols, "dtype": args.dtype,
                      "sigma_max": float(sigma[0])}))


if __name__ == "__main__":
    main()
