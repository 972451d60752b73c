"""Score rules for the KSG check of one column a side on the readings collect.py wrote (and
strong_pairs/collect.py's, the held-out 1+1 families): MAE, 90% coverage and how many data sets a
rule changed, per family and over all.  Markdown on stdout.

    cd docs/experiments/weak_shapes
    python rules.py select.jsonl ../strong_pairs/collect.jsonl > rules_select.md
    python rules.py evaluate.jsonl > rules_evaluate.md
"""
import json
import sys

import numpy as np


def shipped(r):
    """The check before this experiment: strong dependence only (network >= 0.5 nats)."""
    if r["mi"] >= 0.5 and r["ksg"] > max(r["mi"], 1.0):
        return r["ksg"], r["lower"], r["upper"] + r["ksg"] - r["mi"]
    return r["mi"], r["lower"], r["upper"]


def missed(c, raise_lower, floor=0.0):
    """Strong dependence as before (now at any reading), or KSG above the upper end by c / sqrt(n);
    the upper end then at least floor / sqrt(n) above KSG."""
    def rule(r):
        k, m = r["ksg"], c / np.sqrt(r["n"])
        if k > max(r["mi"], 1.0):
            return k, r["lower"], r["upper"] + k - r["mi"]
        if k - m > r["upper"]:
            upper = max(r["upper"] + k - r["mi"], k + floor / np.sqrt(r["n"]))
            return k, max(r["lower"], k - m) if raise_lower else r["lower"], upper
        return r["mi"], r["lower"], r["upper"]
    rule.__doc__ = (f"KSG > upper + {c}/sqrt(n){', lower raised to KSG - margin' if raise_lower else ''}"
                    f"{f', upper >= KSG + {floor}/sqrt(n)' if floor else ''}")
    return rule


RULES = {"network": lambda r: (r["mi"], r["lower"], r["upper"]), "shipped": shipped}
for c in (1.2, 1.6, 2.4, 3.2):  # 1.6 is the one chosen (MISSED_MARGIN)
    RULES[f"c={c}"] = missed(c, False)
RULES["c=1.6, raise lower"] = missed(1.6, True)
RULES["c=1.6, upper floor 3.2 (chosen)"] = missed(1.6, False, 3.2)


def score(rows, rule):
    out = [rule(r) for r in rows]
    err = np.mean([abs(o[0] - r["truth"]) for o, r in zip(out, rows)])
    cov = np.mean([o[1] <= r["truth"] <= o[2] for o, r in zip(out, rows)])
    width = np.mean([o[2] - o[1] for o in out])
    changed = [o[1] <= r["truth"] <= o[2] for o, r in zip(out, rows) if o[0] != r["mi"]]
    return f"{err:.3f} / {cov:.0%} / {width:.3f} ({len(changed)}" + (f", {np.mean(changed):.0%} covered)" if changed else ")")


def main(paths):
    rows = [json.loads(line) for p in paths for line in open(p)]
    rows = [r for r in rows if not r.get("tied")]
    print("MAE / 90% coverage / mean interval width (data sets changed, and how many of those the interval "
          "covers), one column a side; files:",
          ", ".join(paths), "\n")
    for name, rule in RULES.items():
        if rule.__doc__:
            print(f"- `{name}`: {rule.__doc__.strip()}")
    print()
    print("| family | n | data sets | " + " | ".join(RULES) + " |")
    print("|---|---|---|" + "---|" * len(RULES))
    fams = sorted({r["family"] for r in rows})
    for f in fams + ["all"]:
        for n in sorted({r["n"] for r in rows}) + ["all"]:
            sel = [r for r in rows if (f == "all" or r["family"] == f) and (n == "all" or r["n"] == n)]
            if sel and (f == "all" or n == "all"):
                print(f"| {f} | {n} | {len(sel)} | " + " | ".join(score(sel, rule) for rule in RULES.values()) + " |")


def means(rows):
    """Mean readings by shape, noise level and n: the network's (check off) and KSG's, for the
    shapes of shapes.py (rows with a "truth_se")."""
    rows = [r for r in rows if "truth_se" in r]
    if not rows:
        return
    print("\nMean readings (nats) by shape, noise level s and n:\n")
    print("| shape | s | n | truth | network | network upper end | KSG |")
    print("|---|---|---|---|---|---|---|")
    for key in sorted({(r["family"], r["case"].split("/")[1], r["n"]) for r in rows}):
        sel = [r for r in rows if (r["family"], r["case"].split("/")[1], r["n"]) == key]
        print(f"| {key[0]} | {key[1][1:]} | {key[2]} | {sel[0]['truth']:.3f} | "
              + " | ".join(f"{np.mean([r[k] for r in sel]):.3f}" for k in ("mi", "upper", "ksg")) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
    means([json.loads(line) for p in sys.argv[1:] for line in open(p)])
