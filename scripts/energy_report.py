#!/usr/bin/env python3
"""Energy of a `babi_qa --energy --json FILE` run: a markdown table (energy
per question by component, the gain over float), the same gain under other
costings of the operations Horowitz does not list (recomputed from the
counted "ops"), and two SVG pictures written directly (no plotting library):
energy per question by scheme and component, and error against energy.

    scripts/energy_report.py results.json [--svg-dir docs]
"""
import json
import math
import sys
from collections import defaultdict

COMPONENTS = ["embedding", "addressing", "read", "controller", "answer"]
COLORS = {"embedding": "#4e79a7", "addressing": "#f28e2b", "read": "#59a14f",
          "controller": "#b07aa1", "answer": "#e15759"}

# Picojoules per operation, keyed "int8_add" etc. as babi_qa writes "ops".
# "qmann": the library's default (energy/energy_table.hpp): Horowitz 45 nm,
# unlisted integer operations charged an upper bound, float ones a lower
# bound. "interpolated": the same, but an integer multiply of w bits costs
# 0.2 (w/8)^2 pJ (multiplier energy grows with the square of the width; 16
# bits: 0.8 pJ) and a table lookup 0.9 pJ (an 8 KB SRAM read is 10 pJ; read
# energy grows at least with the square root of the size, and the tables are
# 64 bytes). "MAC only": only multiplies and adds, as a multiply-accumulate
# count would see it.
def qmann_costs():
    int_add = {1: 0.03, 8: 0.03, 16: 0.05, 32: 0.1, 64: 0.2}
    int_mul = {1: 0.2, 8: 0.2, 16: 3.1, 32: 3.1, 64: 12.4}
    float_add = {1: 0.4, 8: 0.4, 16: 0.4, 32: 0.9, 64: 0.9}
    float_mul = {1: 1.1, 8: 1.1, 16: 1.1, 32: 3.7, 64: 3.7}
    c = {}
    for w in (1, 8, 16, 32, 64):
        c[f"int{w}_add"] = int_add[w]
        c[f"int{w}_multiply"] = int_mul[w]
        for o in ("compare", "shift", "logic"):
            c[f"int{w}_{o}"] = int_add[w]
        c[f"int{w}_popcount"] = max(1, int(math.log2(w))) * int_add[w]
        c[f"int{w}_lookup"] = 3.1
        c[f"int{w}_divide"] = 64 * 0.2
        c[f"float{w}_add"] = float_add[w]
        c[f"float{w}_multiply"] = float_mul[w]
        c[f"float{w}_compare"] = 0.1
        c[f"float{w}_exp"] = float_mul[w] + float_add[w]
        c[f"float{w}_divide"] = float_mul[w]
    return c


def interpolated_costs():
    c = qmann_costs()
    for w in (1, 8, 16, 32, 64):
        c[f"int{w}_multiply"] = 0.2 * (max(w, 8) / 8) ** 2
        c[f"int{w}_lookup"] = 0.9
    return c


def mac_only_costs():
    c = qmann_costs()
    return {k: (v if k.endswith("_add") or k.endswith("_multiply") else 0.0) for k, v in c.items()}


def energy(ops, costs):
    return sum(n * costs[k] for k, n in ops.items())


def bar_chart(schemes, parts, path):
    width, left, bar, gap = 760, 130, 26, 14
    top = 40
    height = top + len(schemes) * (bar + gap) + 60
    biggest = max(sum(parts[s].values()) for s in schemes)
    scale = (width - left - 80) / biggest
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="{left}" y="20" font-size="14">Computation energy per question (pJ, Horowitz 45 nm), by component</text>']
    for i, s in enumerate(schemes):
        y = top + i * (bar + gap)
        out.append(f'<text x="{left - 8}" y="{y + bar * 0.7}" text-anchor="end">{s}</text>')
        x = left
        for c in COMPONENTS:
            w = parts[s][c] * scale
            if w > 0:
                out.append(f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar}" fill="{COLORS[c]}"><title>{s} {c}: {parts[s][c]:.0f} pJ</title></rect>')
            x += w
        out.append(f'<text x="{x + 5:.1f}" y="{y + bar * 0.7}">{sum(parts[s].values()):.0f}</text>')
    y = top + len(schemes) * (bar + gap) + 10
    for j, c in enumerate(COMPONENTS):
        out.append(f'<rect x="{left + j * 120}" y="{y}" width="12" height="12" fill="{COLORS[c]}"/>')
        out.append(f'<text x="{left + j * 120 + 16}" y="{y + 11}">{c}</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def scatter(schemes, total, error, path):
    width, height, left, bottom, top, right = 640, 400, 70, 50, 40, 30
    xs = [math.log10(total[s]) for s in schemes]
    lo, hi = min(xs) - 0.15, max(xs) + 0.25
    ymax = max(10.0, math.ceil(max(error.values()) / 10) * 10)
    def px(v):
        return left + (math.log10(v) - lo) / (hi - lo) * (width - left - right)
    def py(e):
        return height - bottom - e / ymax * (height - bottom - top)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
           f'<text x="{left}" y="20" font-size="14">Mean bAbI test error against computation energy per question</text>',
           f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="black"/>']
    for d in range(math.floor(lo), math.ceil(hi) + 1):
        for m in (1, 2, 5):
            v = m * 10 ** d
            if lo <= math.log10(v) <= hi:
                out.append(f'<line x1="{px(v):.1f}" y1="{height - bottom}" x2="{px(v):.1f}" y2="{height - bottom + 4}" stroke="black"/>')
                out.append(f'<text x="{px(v):.1f}" y="{height - bottom + 16}" text-anchor="middle">{v:g}</text>')
    out.append(f'<text x="{(left + width - right) / 2}" y="{height - 10}" text-anchor="middle">pJ per question (log scale)</text>')
    for e in range(0, int(ymax) + 1, 10):
        out.append(f'<text x="{left - 6}" y="{py(e) + 4:.1f}" text-anchor="end">{e}%</text>')
        out.append(f'<line x1="{left}" y1="{py(e):.1f}" x2="{width - right}" y2="{py(e):.1f}" stroke="#ddd"/>')
    placed = []  # label positions so far: a label near another goes below it
    for s in schemes:
        x, y = px(total[s]), py(error[s])
        color = "#e15759" if s.endswith("dot") else "#4e79a7" if s.endswith("hamming") else "black"
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{color}"/>')
        ly = y - 8
        while any(abs(ly - py_) < 14 and abs(x - px_) < 150 for px_, py_ in placed):
            ly += 16
        placed.append((x, ly))
        out.append(f'<text x="{x + 8:.1f}" y="{ly:.1f}">{s} ({error[s]:.1f}%)</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--svg-dir"):
        sys.exit("usage: energy_report.py results.json [--svg-dir DIR]")
    with open(argv[1]) as f:
        results = json.load(f)["results"]
    results = [r for r in results if "ops" in r]
    if not results:
        sys.exit(f"{argv[1]}: no energy figures (run babi_qa with --energy)")
    schemes = list(dict.fromkeys(r["scheme"] for r in results))
    tasks = sorted({r["task"] for r in results})
    parts = {s: defaultdict(float) for s in schemes}
    error = defaultdict(float)
    ops = {s: defaultdict(float) for s in schemes}
    for r in results:
        for c in COMPONENTS:
            parts[r["scheme"]][c] += r["energy_pj_by_component"][c] / len(tasks)
        error[r["scheme"]] += 100.0 * r["test_error"] / len(tasks)
        for k, n in r["ops"].items():
            ops[r["scheme"]][k] += n / len(tasks)
    total = {s: sum(parts[s].values()) for s in schemes}
    base = total.get("float")
    print("| scheme | " + " | ".join(COMPONENTS) + " | total pJ | gain vs float | mean error % |")
    print("|---|" + "---:|" * (len(COMPONENTS) + 3))
    for s in schemes:
        gain = f"{base / total[s]:.1f}x" if base else "-"
        print(f"| {s} | " + " | ".join(f"{parts[s][c]:.0f}" for c in COMPONENTS) +
              f" | {total[s]:.0f} | {gain} | {error[s]:.1f} |")
    if base:
        print("\nGain over float under other costings of the unlisted operations (from the counted ops):\n")
        tables = [("qmann default (conservative)", qmann_costs()), ("interpolated", interpolated_costs()),
                  ("multiplies and adds only", mac_only_costs())]
        print("| scheme | " + " | ".join(name for name, _ in tables) + " |")
        print("|---|" + "---:|" * len(tables))
        for s in schemes:
            cells = []
            for _, costs in tables:
                e, f = energy(ops[s], costs), energy(ops["float"], costs)
                cells.append(f"{f / e:.1f}x" if e > 0 else "-")
            print(f"| {s} | " + " | ".join(cells) + " |")
    if len(argv) == 4:
        bar_chart(schemes, parts, f"{argv[3]}/energy_by_component.svg")
        scatter(schemes, total, error, f"{argv[3]}/error_vs_energy.svg")
        print(f"\nwrote {argv[3]}/energy_by_component.svg and {argv[3]}/error_vs_energy.svg")


if __name__ == "__main__":
    main(sys.argv)
