"""The evaluation draws (collect.py without --select: seed 302, stream 42) with KSG kept inside the
reading in few columns (``checks.FLOOR_DIMS_MAX``: a floor of the estimate, a cap of the lower end)
off ("before") and on ("after"), next to KSG on the copula scores of all rows in the joint space
(the rule's own statistic, on all rows here).

    python docs/experiments/low_dims/compare.py docs/experiments/low_dims/evaluate.jsonl > docs/experiments/low_dims/compare.md
"""
import collections
import json
import sys

import numpy as np


def row(name, recs):
    t = np.array([r["truth"] for r in recs])
    b = np.array([r["before"] for r in recs])
    a = np.array([[r["mi"], r["lower"], r["upper"]] for r in recs])
    k = np.array([r["ksg"] for r in recs])
    cover = lambda v: np.mean((v[:, 1] <= t) & (t <= v[:, 2]))  # noqa: E731
    changed = int(np.sum(np.abs(a[:, 0] - b[:, 0]) > 1e-12))
    lowered = int(np.sum(a[:, 1] < b[:, 1] - 1e-12))
    width = lambda v: np.median(np.minimum(v[:, 2], 50.0) - v[:, 1])  # noqa: E731
    ratio = np.median([r["seconds"] / r["before_seconds"] for r in recs])
    return (f"| {name} | {len(recs)} | {np.abs(b[:, 0] - t).mean():.3f} | {np.abs(a[:, 0] - t).mean():.3f} | "
            f"{np.abs(k - t).mean():.3f} | {cover(b):.0%} | {cover(a):.0%} | {width(b):.2f} | {width(a):.2f} | "
            f"{changed} | {lowered} | {ratio:.2f} |")


def main(path):
    recs = [json.loads(line) for line in open(path)]
    head = ("| data | data sets | MAE before | MAE after | MAE KSG (joint) | coverage before | coverage after | "
            "median width before | after | estimates changed | lower ends lowered | time after / before (median) |"
            "\n|---|---|---|---|---|---|---|---|---|---|---|---|")
    print(f"# KSG kept inside the reading in few columns: evaluation ({len(recs)} data sets, {path.split('/')[-1]})\n")
    print("MAE in nats; coverage of the 90% interval and its median width (upper ends capped at 50 nats); "
          "KSG (joint) is the rule's statistic on all rows.\n")
    print("## By columns in all and n\n")
    print(head)
    by = collections.defaultdict(list)
    for r in recs:
        by[(sum(map(int, r["dims"].split("x"))), r["n"])].append(r)
    for key in sorted(by):
        print(row(f"{key[0]} columns, n = {key[1]:,}", by[key]))
    print(row("all", recs))
    print("\n## By family and n\n")
    print(head)
    by = collections.defaultdict(list)
    for r in recs:
        by[(r["family"], r["n"])].append(r)
    for key in sorted(by):
        print(row(f"{key[0]}, n = {key[1]:,}", by[key]))
    base = {k: np.abs(np.array([r["before"][0] for r in v]) - np.array([r["truth"] for r in v])).mean()
            for k, v in by.items()}
    new = {k: np.abs(np.array([r["mi"] for r in v]) - np.array([r["truth"] for r in v])).mean() for k, v in by.items()}
    worse = [k for k in by if new[k] > base[k] + 0.01]
    better = [k for k in by if new[k] < base[k] - 0.01]
    print(f"\nCells (family, n) closer by more than 0.01 nats: {len(better)}; farther: {len(worse)}"
          + (" (" + ", ".join(f"{f} at {n:,}" for f, n in sorted(worse)) + ")" if worse else "") + ".")
    print("\n## Mean signed error at n = 5,000 by family and columns (after; nats)\n")
    dims = sorted({r["dims"] for r in recs}, key=lambda d: (sum(map(int, d.split("x"))), d))
    print("| family | " + " | ".join(f"{d} estimate / KSG" for d in dims) + " |")
    print("|---|" + "---|" * len(dims))
    for fam in sorted({r["family"] for r in recs}):
        cells = []
        for d in dims:
            v = [(r["mi"] - r["truth"], r["ksg"] - r["truth"]) for r in recs
                 if r["family"] == fam and r["dims"] == d and r["n"] == 5000]
            cells.append(f"{np.mean([a for a, _ in v]):+.2f} / {np.mean([b for _, b in v]):+.2f}" if v else "")
        print(f"| {fam} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
