"""Scores rules of the joint-space check on collect.py's records: MAE, 90% coverage and data sets
changed, by kind of data and n, for each margin c (KSG on all rows must exceed the upper end by
c / sqrt(n)) and trigger a (the head's 512-row joint KSG must exceed the upper end by a / sqrt(512)
before KSG on all rows is computed; None: always computed), with and without the strong rule (KSG
above max(estimate, 1 nat) replaces it).  Tied data sets are left out (the check skips them).

    python docs/experiments/joint_check/rules.py docs/experiments/joint_check/select.jsonl > rules_select.md
"""
import json
import math
import sys

import numpy as np

MARGINS = (1.6, 2.4, 3.2)
TRIGGERS = (None, 0.0, -1.0, -2.0)


def apply(r: dict, c: float, a, strong: bool) -> tuple[float, float, float, bool, bool]:
    """(mi, lower, upper, triggered, changed) of a record under a rule."""
    mi, lo, up, n = r["mi"], r["lower"], r["upper"], r["n"]
    if a is not None and r["t512"] <= up + a / math.sqrt(512):
        return mi, lo, up, False, False
    k = r["ksg"]
    if strong and k > max(mi, 1.0):
        return k, lo, up + (k - mi), True, True
    if k - c / math.sqrt(n) > up:
        return k, lo, max(up + (k - mi), k + 2 * c / math.sqrt(n)), True, True
    return mi, lo, up, True, False


def table(rows: list[dict], rules: list) -> None:
    groups = sorted({(r["kind"], r["n"]) for r in rows})
    head = "| kind | n | data sets | shipped | " + " | ".join(name for name, _ in rules) + " |"
    print(head)
    print("|---" * (4 + len(rules)) + "|")
    for kind, n in groups + [("all", None)]:
        sel = [r for r in rows if (kind == "all" or (r["kind"] == kind and r["n"] == n))]

        def cell(f):
            out = [f(r) for r in sel]
            err = np.mean([abs(o[0] - r["truth"]) for o, r in zip(out, sel)])
            cov = np.mean([o[1] <= r["truth"] <= o[2] for o, r in zip(out, sel)])
            trig = sum(o[3] for o in out) if len(out[0]) > 3 else 0
            ch = sum(o[4] for o in out) if len(out[0]) > 3 else 0
            return f"{err:.3f} / {cov:.0%}" + (f" ({ch}; {trig})" if len(out[0]) > 3 else "")

        cells = [cell(lambda r: (r["mi"], r["lower"], r["upper"]))] + [cell(f) for _, f in rules]
        print(f"| {kind} | {n or 'all'} | {len(sel)} | " + " | ".join(cells) + " |")


def main(paths: list[str]) -> None:
    rows = [json.loads(line) for p in paths for line in open(p)]
    rows = [r for r in rows if not r["tied"] and r["dims"] != "1x1"]
    print(f"Joint-space check rules on {', '.join(paths)} ({len(rows)} untied data sets): MAE / 90% coverage "
          "(data sets changed; data sets where KSG on all rows is computed).\n")
    for strong in (False, True):
        print(f"\n### {'with' if strong else 'without'} the strong rule (KSG above max(estimate, 1) replaces it)\n")
        rules = [(f"c {c}, a {a}", (lambda r, c=c, a=a: apply(r, c, a, strong))) for c in MARGINS for a in TRIGGERS
                 if a is None or c == 2.4]
        table(rows, rules)
    print("\n### mean readings by kind and dims (truth, shipped estimate, KSG joint on all rows, head's 512-row statistic)\n")
    print("| kind | dims | n | truth | shipped | upper | KSG | t512 |")
    print("|---|---|---|---|---|---|---|---|")
    for kind, dims, n in sorted({(r["kind"], r["dims"], r["n"]) for r in rows}):
        sel = [r for r in rows if (r["kind"], r["dims"], r["n"]) == (kind, dims, n)]
        print(f"| {kind} | {dims} | {n} | " + " | ".join(f"{np.mean([r[k] for r in sel]):.3f}"
                                                          for k in ("truth", "mi", "upper", "ksg", "t512")) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
