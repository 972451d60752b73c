"""Summaries of collect.py's records: MAE, 90% coverage and median width of the estimator's reading
of rounded data with the checks switched off by a tie (before) and reading the data with their ties
broken (after), next to the reading of the unrounded data, by shape and by family.

    python docs/experiments/light_ties/compare.py docs/experiments/light_ties/evaluate.jsonl > docs/experiments/light_ties/compare.md
"""
import collections
import json
import sys

import numpy as np


def err(r, k):
    return abs(r[k][0] - r["truth"])


def covered(r, k):
    return r[k][1] - 1e-9 <= r["truth"] <= r[k][2] + 1e-9


def table(recs, key, digits, title):
    tags = ["unrounded", f"before{digits}", f"after{digits}"]
    heads = ["unrounded", "before", "after"]
    cells = collections.defaultdict(list)
    for r in recs:
        cells[(r[key], r["n"])].append(r)
    print(f"\n### {title}\n")
    print(f"| {key} | n | data sets | " + " | ".join(f"MAE {h}" for h in heads) + " | "
          + " | ".join(f"coverage {h}" for h in heads) + " | median width before / after |")
    print("|---|---|---|" + "---|" * 7)
    for k in sorted(cells):
        v = cells[k]
        mae = " | ".join(f"{np.mean([err(r, t) for r in v]):.3f}" for t in tags)
        cov = " | ".join(f"{100 * np.mean([covered(r, t) for r in v]):.0f}%" for t in tags)
        w = [np.median([r[t][2] - r[t][1] for r in v]) for t in tags[1:]]
        print(f"| {k[0]} | {k[1]} | {len(v)} | {mae} | {cov} | {w[0]:.3f} / {w[1]:.3f} |")


def main() -> None:
    recs = [json.loads(line) for line in open(sys.argv[1])]
    digits = sorted(int(k[len("before"):]) for k in recs[0] if k.startswith("before"))
    print(f"# Lightly tied columns: {len(recs)} data sets ({sys.argv[1].split('/')[-1]})")
    for d in digits:
        b, a = f"before{d}", f"after{d}"
        light = [r for r in recs if r[f"distinct{d}"] >= 0.5]
        changed = [r for r in recs if r[a][:3] != r[b][:3]]
        print(f"\n## Rounded to {d} significant digits\n")
        print(f"- Data sets whose every column keeps at least half as many distinct values as rows (lightly tied): "
              f"{len(light)} of {len(recs)}; with a heavily tied column the estimator broke those ties before too.")
        print(f"- Readings changed: {len(changed)}; of those closer to the truth by more than 0.01 nats: "
              f"{sum(err(r, a) < err(r, b) - 0.01 for r in changed)}, farther: "
              f"{sum(err(r, a) > err(r, b) + 0.01 for r in changed)}.")
        for name, k in (("before", b), ("after", a)):
            print(f"- {name}: MAE {np.mean([err(r, k) for r in recs]):.3f}, 90% coverage "
                  f"{100 * np.mean([covered(r, k) for r in recs]):.1f}%; changed data sets MAE "
                  f"{np.mean([err(r, k) for r in changed]) if changed else float('nan'):.3f}, coverage "
                  f"{100 * np.mean([covered(r, k) for r in changed]) if changed else float('nan'):.1f}%")
        print(f"- Unrounded: MAE {np.mean([err(r, 'unrounded') for r in recs]):.3f}, coverage "
              f"{100 * np.mean([covered(r, 'unrounded') for r in recs]):.1f}%; the changed data sets' after-reading "
              f"within 0.05 nats of the unrounded reading: "
              f"{sum(abs(r[a][0] - r['unrounded'][0]) <= 0.05 for r in changed)} of {len(changed)}.")
        ratio = [r[a][4] / r[b][4] for r in changed]
        if ratio:
            print(f"- Time of the changed data sets, after / before (same run): median {np.median(ratio):.2f}x, "
                  f"90th percentile {np.quantile(ratio, 0.9):.2f}x.")
        cells = collections.defaultdict(list)
        for r in recs:
            cells[(r["family"], r["n"])].append(r)
        # (MAE before, MAE after) of each cell
        mae = [(np.mean([err(r, b) for r in v]), np.mean([err(r, a) for r in v])) for v in cells.values()]
        closer = sum(after < before - 0.01 for before, after in mae)
        farther = sum(after > before + 0.01 for before, after in mae)
        print(f"- Cells (family, n): {closer} of {len(cells)} closer by more than 0.01 nats (MAE), {farther} farther.")
        table(recs, "dims", d, f"By shape ({d} digits)")
        table(recs, "family", d, f"By family ({d} digits)")


if __name__ == "__main__":
    main()
