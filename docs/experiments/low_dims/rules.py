"""Score candidate rules for KSG in the joint space as a floor of the reading, on collect.py's lines.

    python docs/experiments/low_dims/rules.py docs/experiments/low_dims/select.jsonl [RULE NAME ...]

A rule (dims, c, n_min) replaces the shipped reading (mi, lower, upper) where the data have at most
``dims`` columns in all, no ties, at least n_min rows, and joint KSG k reads above mi + c / sqrt(n):
the estimate becomes k and the upper end moves up by k - mi (the lower end stays).  "mean" takes
(mi + k) / 2 instead, with the upper end moved up by the same.  "3-4 cols" leaves one column a side
out (as shipped: ``pairwise`` tests such pairs against one null per n, read without the floor).
Names given after the file pick the rules of the table by family (the shipped reading alone by
default); README.md gives the command that wrote rules_select.md."""
import collections
import json
import math
import sys

import numpy as np

RULES = [("shipped", None, None, None, None, 2)] + [
    (f"KSG > mi + {c}/sqrt(n), <= {d} cols, n >= {m}{', mean' if mean else ''}", d, c, m, mean, 2)
    for d in (2, 3, 4, 5, 6) for c in (0.0, 0.75, 1.6) for m in (200, 1000) for mean in (False, True)] + [
    ("KSG > mi + 0.75/sqrt(n), 3-4 cols, n >= 1000", 4, 0.75, 1000, False, 3)]


def apply(rec, dims, c, n_min, mean, dims_min):
    mi, lo, up = rec["mi"], rec["lower"], rec["upper"]
    cols = sum(map(int, rec["dims"].split("x")))
    if dims is None or rec["tied"] or rec["n"] < n_min or not dims_min <= cols <= dims:
        return mi, lo, up, False
    k = rec["ksg"]
    if k <= mi + c / math.sqrt(rec["n"]):
        return mi, lo, up, False
    new = (mi + k) / 2 if mean else k
    return new, lo, up + (new - mi), True


def scores(recs, rule):
    out = [apply(r, *rule[1:]) for r in recs]
    err = np.array([abs(o[0] - r["truth"]) for o, r in zip(out, recs)])
    cov = np.array([o[1] <= r["truth"] <= o[2] for o, r in zip(out, recs)])
    return err.mean(), cov.mean(), sum(o[3] for o in out)


def main(path):
    recs = [json.loads(line) for line in open(path)]
    groups = collections.defaultdict(list)
    for r in recs:
        groups[(r["family"], r["n"])].append(r)
        groups[("all", r["n"])].append(r)
        groups[("all", 0)].append(r)
    print(f"MAE / 90% coverage (data sets changed), {len(recs)} data sets of {path.split('/')[-1]}\n")
    # totals first: one line per rule
    print("| rule | all n = 200 | all n = 1,000 | all n = 5,000 | all | cells worse by > 0.01 | "
          "cells better by > 0.01 |")
    print("|---|---|---|---|---|---|---|")
    cells = [g for g in groups if g[0] != "all"]
    for rule in RULES:
        row = []
        for g in (("all", 200), ("all", 1000), ("all", 5000), ("all", 0)):
            mae, cov, ch = scores(groups[g], rule)
            row.append(f"{mae:.3f} / {cov:.0%} ({ch})")
        worse = better = 0
        for g in cells:
            base, new = scores(groups[g], RULES[0])[0], scores(groups[g], rule)[0]
            worse += new > base + 0.01
            better += new < base - 0.01
        print(f"| {rule[0]} | " + " | ".join(row) + f" | {worse} | {better} |")
    pick = [r for r in RULES if r[0] in sys.argv[2:]] or RULES[:1]
    print("\n## By family and n\n")
    print("| family | n | " + " | ".join(r[0] for r in pick) + " |")
    print("|---|---|" + "---|" * len(pick))
    for g in sorted(cells):
        cells_text = ("{:.3f} / {:.0%} ({})".format(*scores(groups[g], r)) for r in pick)
        print(f"| {g[0]} | {g[1]} | " + " | ".join(cells_text) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
