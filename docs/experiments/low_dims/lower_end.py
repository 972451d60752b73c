"""Score rules for KSG as a cap of the interval's lower end, on top of the shipped floor of the
estimate, on collect.py's selection lines (which predate both).

    python docs/experiments/low_dims/lower_end.py docs/experiments/low_dims/select.jsonl > docs/experiments/low_dims/lower_select.md

The floor (checks._keep_ksg, first half) is applied as shipped: in 3-4 columns from 1,000 rows,
KSG above mi + 0.75 / sqrt(n) becomes the estimate and the upper end moves up by the difference.  A
rule (c, columns, n_min) then moves the lower end down to max(KSG - c / sqrt(n), 0) where it lies
above that, for data without ties in that many columns in all and from n_min rows.  Each cell
gives the 90% interval's coverage and its median width (upper ends capped at 50 nats)."""
import collections
import json
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rules import apply  # noqa: E402  (the floor as scored on the selection draws, shared, not copied)


def cols(r):
    return sum(map(int, r["dims"].split("x")))


def floored(r):
    """The floor as shipped: 3-4 columns, from 1,000 rows, margin 0.75."""
    return apply(r, 4, 0.75, 1000, False, 3)[:3]


def capped(r, c, dmin, dmax, n_min):
    mi, lo, up = floored(r)
    if not r["tied"] and r["n"] >= n_min and dmin <= cols(r) <= dmax:
        lo = min(lo, max(r["ksg"] - c / math.sqrt(r["n"]), 0.0))
    return mi, lo, up


RULES = [("floor only", None)] + [
    (f"lower <= KSG - {c}/sqrt(n), {a}-{b} cols, n >= {m}", (c, a, b, m))
    for c in (0.0, 0.75, 1.6) for a, b in ((3, 4), (2, 4), (3, 6), (2, 6)) for m in (200, 1000)]


def cell(recs, rule):
    out = np.array([floored(r) if rule[1] is None else capped(r, *rule[1]) for r in recs])
    t = np.array([r["truth"] for r in recs])
    cover = np.mean((out[:, 1] <= t) & (t <= out[:, 2]))
    return f"{cover:.0%} / {np.median(np.minimum(out[:, 2], 50.0) - out[:, 1]):.2f}"


def main(path):
    recs = [json.loads(line) for line in open(path)]
    groups = collections.defaultdict(list)
    for r in recs:
        groups[(f"{cols(r)} columns", r["n"])].append(r)
        groups[("all", r["n"])].append(r)
        if r["truth"] >= 2:
            groups[("MI >= 2 nats", 0)].append(r)
    keys = sorted(groups)
    print(f"90% coverage / median width (nats), {len(recs)} data sets of {path.split('/')[-1]}\n")
    print("| rule | " + " | ".join(f"{a}, n = {b:,}" if b else a for a, b in keys) + " |")
    print("|---|" + "---|" * len(keys))
    for rule in RULES:
        print(f"| {rule[0]} | " + " | ".join(cell(groups[k], rule) for k in keys) + " |")


if __name__ == "__main__":
    main(sys.argv[1])
