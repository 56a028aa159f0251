#!/usr/bin/env python3
"""Markdown table of a babi_qa --json file: test error % per task and scheme,
the mean, and the relative improvement of each Q-MANN scheme over its
conventional twin.  Usage: scripts/results_table.py results.json"""
import json
import sys


def main(path):
    with open(path) as f:
        results = json.load(f)["results"]
    schemes = list(dict.fromkeys(r["scheme"] for r in results))
    tasks = sorted({r["task"] for r in results})
    error = {(r["scheme"], r["task"]): 100.0 * r["test_error"] for r in results}
    print("| task | " + " | ".join(f"{s} %" for s in schemes) + " |")
    print("|---:|" + "---:|" * len(schemes))
    for t in tasks:
        print(f"| {t} | " + " | ".join(f"{error[(s, t)]:.1f}" for s in schemes) + " |")
    mean = {s: sum(error[(s, t)] for t in tasks) / len(tasks) for s in schemes}
    print("| **mean** | " + " | ".join(f"**{mean[s]:.1f}**" for s in schemes) + " |")
    for twin in ("fixed8", "binary"):
        q, c = f"{twin}-hamming", f"{twin}-dot"
        if q in mean and c in mean and mean[c] > 0:
            print(f"\n{q}: {mean[q]:.1f}% vs {c} {mean[c]:.1f}%: "
                  f"{100.0 * (1.0 - mean[q] / mean[c]):.0f}% lower", end="")
            if "float" in mean:
                print(f"; {mean[q] - mean['float']:+.1f} points from float ({mean['float']:.1f}%)", end="")
            print()
    agreement = [r["export_agreement"] for r in results if "export_agreement" in r and r["scheme"] != "float"]
    if agreement:
        print(f"\nInteger export vs training forward pass: same answer on at least "
              f"{100.0 * min(agreement):.2f}% of the test questions of every task and scheme.")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: results_table.py results.json")
    main(sys.argv[1])
