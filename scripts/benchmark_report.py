#!/usr/bin/env python3
"""Ratios of qmann_bench_addressing results, all from one run (one JSON file).

Usage: scripts/benchmark_report.py RESULTS.json [N D]   (default N=1024, D=256)
Prints a Markdown table: time per call and speed-up over float_dot of every
similarity/ and addressing/ benchmark at N x D, the peer comparisons, and the
binary similarity's share of the streaming-read rate at every size.
"""
import json
import sys


def main():
    if len(sys.argv) not in (2, 4):
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        runs = json.load(f)["benchmarks"]
    n, d = (sys.argv[2], sys.argv[3]) if len(sys.argv) == 4 else ("1024", "256")
    time = {r["name"]: r["real_time"] for r in runs if r.get("run_type", "iteration") == "iteration"}

    def t(name):
        return time.get(name)

    print(f"| benchmark (N={n}, D={d}) | time (ns) | speed-up over float_dot |")
    print("|---|---:|---:|")
    for kind in ("similarity", "addressing"):
        base = t(f"{kind}/float_dot/{n}/{d}")
        for scheme in ("float_dot", "float_cosine", "fixed8_dot", "fixed8_hamming", "binary_hamming"):
            x = t(f"{kind}/{scheme}/{n}/{d}")
            if x is not None and base is not None:
                print(f"| {kind}/{scheme} | {x:,.0f} | {base / x:.2f}x |")
    print()
    print("| comparison | ratio |")
    print("|---|---:|")
    blas = t(f"peer/openblas_sgemv_softmax/{n}/{d}")
    if blas is not None:
        print(f"| addressing/float_dot vs peer/openblas_sgemv_softmax ({n}/{d}) | "
              f"{blas / t(f'addressing/float_dot/{n}/{d}'):.2f}x faster |")
    for dim in ("256", "1024"):
        for rows in ("1024", "65536"):
            faiss = t(f"peer/faiss_hamming/{rows}/{dim}")
            ours = t(f"similarity/binary_hamming/{rows}/{dim}")
            if faiss is not None and ours is not None:
                print(f"| similarity/binary_hamming vs peer/faiss_hamming ({rows}/{dim}) | {faiss / ours:.2f}x faster |")
    for rows in ("1024", "65536"):
        for dim in ("256", "1024"):
            stream = t(f"peer/stream_read/{rows}/{dim}")
            ours = t(f"similarity/binary_hamming/{rows}/{dim}")
            if stream is not None and ours is not None:
                print(f"| similarity/binary_hamming at {stream / ours:.0%} of peer/stream_read's rate ({rows}/{dim}) | |")


if __name__ == "__main__":
    main()
